"""The legacy `/<data_set_name>` routes (spec 1.1, 1.2) never catch a path the app owns.

A path whose first segment belongs to another route of the app (`/metrics`, `/docs`,
`/openapi.json`, `/_status`, and whatever routes come later) or is in `RESERVED_PATHS` is never
a data set name: `GET /metrics` is the metrics page on both apps and `POST /metrics` is a 405
on the write app, not a write to a data set called "metrics".
"""

from __future__ import annotations

from werkzeug.routing import BaseConverter, ValidationError

# First path segments reserved on both apps whether or not the app serves them today; a new
# top-level page joins automatically once it is a route, or here to reserve it on both apps.
RESERVED_PATHS: frozenset[str] = frozenset(
    {"", "metrics", "docs", "openapi.json", "explore", "upload", "_status"}
)


class DataSetName(BaseConverter):
    """`<data_set:name>`: any single path segment that no other route owns (the read app)."""

    def to_python(self, value: str) -> str:
        if value in RESERVED_PATHS or value in self._owned():
            raise ValidationError()
        return value

    def _owned(self) -> set[str]:
        """The first segments of the app's routes that begin with a fixed segment."""
        owned = set()
        for rule in self.map.iter_rules():
            segment = rule.rule.split("/")[1] if rule.rule.count("/") else ""
            if "<" not in segment:
                owned.add(segment)
        return owned


class WritableDataSetName(DataSetName):
    """A data set name the deprecated write route takes: `^[a-z_][a-z0-9_]+$` case-insensitively,
    not starting with `_` (spec 1.2), so `/_status` and `/_data_set` never reach it."""

    regex = "[A-Za-z][A-Za-z0-9_]+"
