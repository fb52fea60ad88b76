"""What core raises on purpose; the HTTP layers choose the status code.

BackdropError
 ├─ SettingsInvalid      an environment variable holds an unusable value (start-up)
 ├─ DataSetNotFound      no config for that data set, or it is not queryable
 ├─ CollectionNotFound   storage holds no data set of that name (DELETE /data-sets/<name>)
 ├─ Unauthorized         missing or wrong bearer token
 ├─ BadRequest           the request cannot be served as sent (HTTP 400)
 │   ├─ RequestInvalid   request-level problem: {"status": "error", "message": ...}
 │   ├─ QueryInvalid     first failing query check: {"status": "error", "message": ...}
 │   │   └─ QueryTooLarge    the answer would exceed the row budget (core/limits.py)
 │   ├─ RecordsInvalid   every record problem: {"messages": [...]}
 │   │   └─ RowsInvalid  the same for the rows of an uploaded file, adding "errors" with row numbers
 │   ├─ RecordNotFound   PATCH/DELETE of a missing record: {"messages": "<text>"}
 │   └─ UploadInvalid    an uploaded file fails the checks of spec 7.1 or cannot be parsed (7.2)
 ├─ PayloadTooLarge      a body (plain or inflated) or a stored value is over its limit (413)
 ├─ ConfigUnavailable    the config source (Stagecraft) cannot answer
 ├─ ScannerUnavailable   the virus scanner could not check an uploaded file
 ├─ UnknownTransform     a transform name that is not in the registry
 ├─ TransformInvalid     a transform cannot compute from this config and input
 ├─ TooManyRows          a storage answer went past the `max_rows` it was given
 ├─ DatabaseMissing      the database a URL names does not exist and cannot be created
 └─ StorageError         the database failed; __cause__ holds the driver error
     ├─ StorageUnavailable   the database cannot be reached (or the breaker is open)
     ├─ StorageBusy          concurrent writes kept conflicting after bounded retries
     └─ ValueNotStorable     the database refused a value it cannot represent (400)
         └─ ValueTooLarge    ... or one too large for a document or an index (413)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

BodyShape = Literal["message", "messages", "messages_text"]
# How much of a client's value a message or detail quotes: enough to recognise it.
QUOTED_LENGTH = 64


def quoted(value: str) -> str:
    """A client's value as a detail shows it: in double quotes, cut short when long."""
    shown = value if len(value) <= QUOTED_LENGTH else value[:QUOTED_LENGTH] + "..."
    return f'"{shown}"'


class BackdropError(Exception):
    """Root of every error core raises on purpose.

    `message` is the text the spec pins (clients match it); `detail`, when there is one, says
    what exactly was wrong and how to fix it, and goes next to the message in the error body.
    Neither ever carries a token, record data beyond a short quote, or exception text.
    """

    shape: BodyShape = "message"

    def __init__(self, message: str = "", *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def details(self) -> dict[str, Any]:
        """Fields the error body carries next to its message(s): `detail` when there is one,
        and whatever a kind adds."""
        return {"detail": self.detail} if self.detail else {}


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


class BadRequest(BackdropError):
    """Raised when a request cannot be served as sent."""


class RequestInvalid(BadRequest):
    """A request-level problem (empty body, bad JSON, bad gzip, bad transform range)."""


class QueryInvalid(BadRequest):
    """The first failing read-query check (spec 2.3), or a reducer over unusable values."""


class QueryTooLarge(QueryInvalid):
    """The answer would hold more rows than the row budget allows; raised before the work."""

    def __init__(self, rows: int, limit: int, *, hint: str, more: bool = False) -> None:
        count = (
            f"more than {limit} rows, the limit"
            if more
            else (f"{rows} rows, more than the limit of {limit}")
        )
        super().__init__(f"This query would produce {count}; {hint}")
        self.rows = rows
        self.limit = limit


class RecordsInvalid(BadRequest):
    """Every problem found in the posted records, in the order of spec 3.2."""

    shape: BodyShape = "messages"

    def __init__(self, messages: Sequence[str], *, detail: str | None = None) -> None:
        super().__init__("; ".join(messages), detail=detail)
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
        return {**super().details(), **_row_details(self.rows)}


class UploadInvalid(BadRequest):
    """An uploaded file is refused before any record is written: empty, too big or of a strange
    type (spec 7.1), or not readable as its type says (spec 7.2). `rows` names the file rows at
    fault, when the problem is in rows (e.g. more values than columns)."""

    def __init__(self, message: str, rows: Sequence[tuple[int, str]] = ()) -> None:
        super().__init__(message)
        self.rows = list(rows)

    def details(self) -> dict[str, Any]:
        return {**super().details(), **(_row_details(self.rows) if self.rows else {})}


class RecordNotFound(BadRequest):
    """PATCH or DELETE named a record the data set does not hold (spec 1.2: a string body)."""

    shape: BodyShape = "messages_text"

    def __init__(self, record_id: str) -> None:
        super().__init__(f"No record found with id {record_id}")


class PayloadTooLarge(BackdropError):
    """A request body (plain, or gzip once inflated: spec 3.8) is over the body cap, or the
    database refused a record as too large to store."""


class ConfigUnavailable(BackdropError):
    """The config source cannot answer (Stagecraft down or failing after retries)."""


class ScannerUnavailable(BackdropError):
    """The virus scanner could not check an uploaded file (it failed, timed out or cannot be
    run); the file is refused unchecked, and sending it again later may succeed."""


class UnknownTransform(BackdropError):
    """A transform names a function that is not in the registry."""


class TransformInvalid(BackdropError):
    """A transform cannot compute its output from this config and input; retrying would not
    help (e.g. `latest_dataset_value` over a data type it has no value field for)."""


class TooManyRows(BackdropError):
    """A grouped query's database answer went past the `max_rows` core allowed it (engines
    stop reading there); core turns it into QueryTooLarge with advice."""

    def __init__(self, max_rows: int) -> None:
        super().__init__(f"more than {max_rows} rows")
        self.max_rows = max_rows


class DatabaseMissing(BackdropError):
    """The server answers, but the database a URL names does not exist and this user may not
    create it (`backdrop db copy` creates it when it can)."""


class StorageError(BackdropError):
    """The database failed; the driver's exception is the __cause__. `kind` is the bounded
    label metrics count it under (subclasses name their own)."""

    kind: ClassVar[str] = "other"


class StorageUnavailable(StorageError):
    """The database cannot be reached (down, starting, or the network is), or it failed so
    recently that the circuit breaker answers for it without trying (core/breaker.py)."""

    kind: ClassVar[str] = "unavailable"


class StorageBusy(StorageError):
    """Concurrent writers kept deadlocking or conflicting after the engine's bounded retries;
    nothing of the write was stored, and sending it again is safe."""

    kind: ClassVar[str] = "busy"


class ValueNotStorable(StorageError):
    """The database refused a value that passed core's checks (too large for an index or a
    document, or text it cannot represent); nothing was stored. A client error (4xx)."""

    kind: ClassVar[str] = "not_storable"


class ValueTooLarge(ValueNotStorable):
    """The database refused a record or value as too large (a MongoDB document over 16 MB, an
    index entry over its limit); nothing was stored (HTTP 413)."""

    kind: ClassVar[str] = "too_large"
