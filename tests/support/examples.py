"""How many examples the property and fuzz tests try: their bounded counts in the suite, times
`BACKDROP_TEST_EXAMPLES_SCALE` for a long run of the same tests (e.g. 40 before a release)."""

from __future__ import annotations

import os


def scaled(examples: int) -> int:
    """`examples`, times the scale the environment asks for (default 1)."""
    return examples * int(os.environ.get("BACKDROP_TEST_EXAMPLES_SCALE") or 1)
