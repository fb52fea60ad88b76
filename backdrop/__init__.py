"""Backdrop: a datastore for performance data (read app, write app, transform worker, CLI)."""

# The one place the release number lives: pyproject.toml reads it, `GET /`, `/_status` and
# `backdrop --version` show it.
__version__ = "1.1.0"
