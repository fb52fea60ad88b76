"""What core raises on purpose; the HTTP layers choose the status code.

BackdropError
 ├─ SettingsInvalid      an environment variable holds an unusable value (start-up)
 ├─ DataSetNotFound      no config for that data set, or it is not queryable
 ├─ CollectionNotFound   storage holds no data set of that name (DELETE /data-sets/<name>)
 ├─ Unauthorized         missing or wrong bearer token
 ├─ InvalidRequest       the request cannot be served as sent (HTTP 400)
 │   ├─ RequestInvalid   request-level problem: {"status": "error", "message": ...}
 │   ├─ QueryInvalid     first failing query check: {"status": "error", "message": ...}
 │   ├─ RecordsInvalid   every record problem: {"messages": [...]}
 │   │   └─ RowsInvalid  the same for the rows of an uploaded file, adding "errors" with row numbers
 │   ├─ RecordNotFound   PATCH/DELETE of a missing record: {"messages": "<text>"}
 │   └─ UploadInvalid    an uploaded file fails the checks of spec 7.1 or cannot be parsed (7.2)
 ├─ PayloadTooLarge      a gzip body inflates past the cap
 ├─ ConfigUnavailable    the config source (Stagecraft) cannot answer
 ├─ UnknownTransform     a transform name that is not in the registry
 └─ StorageError         the database failed; __cause__ holds the driver error
     └─ StorageUnavailable   the database cannot be reached
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

BodyShape = Literal["message", "messages", "messages_text"]


class BackdropError(Exception):
    """Root of every error core raises on purpose."""

    shape: BodyShape = "message"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def details(self) -> dict[str, Any]:
        """Fields the error body carries next to its message(s); none unless a kind adds some."""
        return {}


class SettingsInvalid(BackdropError):
    """Raised at start-up when an environment variable holds a value we cannot use."""


class DataSetNotFound(BackdropError):
    """Raised when no config exists for the requested data set (or it is not queryable)."""


class CollectionNotFound(BackdropError):
    """Raised when storage holds no data set of that name."""

    def __init__(self, name: str) -> None:
        super().__init__(f'No collection exists with name "{name}"')


class Unauthorized(BackdropError):
    """Raised when a bearer token is missing or does not match."""


class InvalidRequest(BackdropError):
    """Raised when a request cannot be served as sent."""


class RequestInvalid(InvalidRequest):
    """A request-level problem (empty body, bad JSON, bad gzip, bad transform range)."""


class QueryInvalid(InvalidRequest):
    """The first failing read-query check (spec 2.3), or a reducer over unusable values."""


class RecordsInvalid(InvalidRequest):
    """Every problem found in the posted records, in the order of spec 3.2."""

    shape: BodyShape = "messages"

    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


def _row_details(rows: Sequence[tuple[int, str]]) -> dict[str, Any]:
    return {"errors": [{"row": row, "message": message} for row, message in rows]}


class RowsInvalid(RecordsInvalid):
    """Records read from an uploaded file fail the write pipeline: the messages a POST of the
    same records would get (spec 3.2), and each message with the file row it belongs to."""

    def __init__(self, messages: Sequence[str], rows: Sequence[tuple[int, str]]) -> None:
        super().__init__(messages)
        self.rows = list(rows)

    def details(self) -> dict[str, Any]:
        return _row_details(self.rows)


class UploadInvalid(InvalidRequest):
    """An uploaded file is refused before any record is written: empty, too big or of a strange
    type (spec 7.1), or not readable as its type says (spec 7.2). `rows` names the file rows at
    fault, when the problem is in rows (e.g. more values than columns)."""

    def __init__(self, message: str, rows: Sequence[tuple[int, str]] = ()) -> None:
        super().__init__(message)
        self.rows = list(rows)

    def details(self) -> dict[str, Any]:
        return _row_details(self.rows) if self.rows else {}


class RecordNotFound(InvalidRequest):
    """PATCH or DELETE named a record the data set does not hold (spec 1.2: a string body)."""

    shape: BodyShape = "messages_text"

    def __init__(self, record_id: str) -> None:
        super().__init__(f"No record found with id {record_id}")


class PayloadTooLarge(BackdropError):
    """A gzip request body inflates past the cap (spec 3.8)."""


class ConfigUnavailable(BackdropError):
    """The config source cannot answer (Stagecraft down or failing after retries)."""


class UnknownTransform(BackdropError):
    """A transform names a function that is not in the registry."""


class TransformInvalid(BackdropError):
    """A transform cannot compute its output from this config and input; retrying would not
    help (e.g. `latest_dataset_value` over a data type it has no value field for)."""


class StorageError(BackdropError):
    """The database failed; the driver's exception is the __cause__."""


class StorageUnavailable(StorageError):
    """The database cannot be reached (down, starting, or the network is)."""
