"""The benchmark (`.venv/bin/python -m bench` from the checkout): Backdrop against the raw
database. A development package beside `tests/`: the wheel does not ship it.

Seeded licensing-style records are loaded through the real HTTP write API, a fixed query set is
timed through the real read API, and the same work is run directly against the database in the
same run, so every figure is reported as a ratio measured on one machine at one moment.
"""
