"""`backdrop.transformers.tasks.debug.logging`: log what a transform would receive and write
nothing (spec 6.5), in the three-argument form (spec 10 #6).

Logs the number of rows and their field names, never the values (no record bodies in logs).
"""

from __future__ import annotations

import logging

from backdrop.transformers.rows import Config, Record, Rows

logger = logging.getLogger(__name__)


def log_input(rows: Rows, transform: Config, source_config: Config) -> list[Record]:
    """Log the input's shape; no output records."""
    fields = sorted({key for row in rows for key in row})
    logger.info(
        "debug transform input",
        extra={"data_set": source_config.get("name"), "rows": len(rows), "fields": fields},
    )
    return []
