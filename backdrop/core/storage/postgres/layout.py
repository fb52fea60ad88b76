"""What each column of a grouped statement's rows holds (`Layout`), and the one decoder that
turns those rows into `Row`s by it (`decode`). Every statement builder in aggregate.py returns
the layout of its rows with the statement, so the two cannot drift apart.

A layout may fail to hold the answer: group keys read as text cannot tell `"1"` from `1`
(KeysNotOnlyStrings), and a sum read as text is only right when every value is an integer
(NotIntegerSums). The decoder says so; aggregate.py then asks a statement that can.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from backdrop.core.limits import MAX_INTEGER, MIN_INTEGER
from backdrop.core.query import Needs, Query
from backdrop.core.storage.base import Collected, Row

Record = tuple[Any, ...]  # one row as psycopg fetched it


class KeysNotOnlyStrings(Exception):
    """A group key read as text may stand for a number, boolean, object or array."""


class NotIntegerSums(Exception):
    """A sum read as text has a fraction: only the typed statement adds as MongoDB does."""


class Keys(Enum):
    """How a statement gives the group fields' values."""

    TEXT = "text"  # `record ->> field`: fast to group on, but `"1"` and `1` look alike
    JSON = "json"  # `record -> field`: the JSONB values, as psycopg decodes them


class Sums(Enum):
    """How a statement gives a summed field's sum; the value is how many columns it takes."""

    TEXT = 1  # the exact sum as text, computed only when every value is a number
    TYPED = 3  # the exact sum, the double-precision sum (NULL when left out), non-numbers counted


@dataclass(frozen=True, slots=True)
class Layout:
    """The columns of a grouped statement's rows, in order: one per group field (`groups`, as
    `keys` says), the period start when there is a `period`, the record count, then for each
    collected field in `needs` its present values counted (`count`), its sum (as `sums` says),
    its distinct values (`values`), each only when needed."""

    groups: int
    keys: Keys
    period: bool
    needs: tuple[Needs, ...] = ()
    sums: Sums = Sums.TEXT

    @classmethod
    def of(cls, query: Query, *, keys: Keys, sums: Sums) -> Layout:
        """The layout of a statement grouping and collecting what `query` asks for."""
        return cls(len(query.group_by), keys, query.period is not None, query.needs, sums)

    @property
    def width(self) -> int:
        """How many columns a row has."""
        collected = sum(
            needs.count + (self.sums.value if needs.sums else 0) + needs.values
            for needs in self.needs
        )
        return self.groups + self.period + 1 + collected


_NONE: dict[str, Collected] = {}  # the collected values of a query that collects nothing
# The text (`->>`) of a JSON number, boolean, object or array: such a text key may not be a string.
_NOT_ONLY_A_STRING = re.compile(
    r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|[\[{].*", re.S
)


def decode(layout: Layout, records: Sequence[Record]) -> list[Row]:
    """`records` as `Row`s, without the groups MongoDB would not form: a group field missing
    or null, or no period (spec 2.4.3). Raises KeysNotOnlyStrings or NotIntegerSums when the
    layout cannot hold the answer (module docstring)."""
    groups = layout.groups
    width = groups + layout.period
    if records and len(records[0]) != layout.width:
        raise ValueError("a grouped statement's rows do not match its layout")
    if layout.keys is Keys.TEXT and not _strings_only(records, groups):
        raise KeysNotOnlyStrings()
    period = groups if layout.period else None
    collect = _collector(_readers(layout, first=width + 1))
    return [
        Row(
            record[:groups],
            None if period is None else record[period],
            record[width],
            collect(record),
        )
        for record in records
        if None not in record[:width]
    ]


def _strings_only(records: Sequence[Record], groups: int) -> bool:
    """Can every text key (the first `groups` columns) stand only for a string? Each distinct
    key is looked at once."""
    for index in range(groups):
        keys = {record[index] for record in records}
        keys.discard(None)
        if any(_NOT_ONLY_A_STRING.fullmatch(key) for key in keys):
            return False
    return True


Reader = Callable[[Record], Collected]


def _collector(readers: Sequence[tuple[str, Reader]]) -> Callable[[Record], dict[str, Collected]]:
    """What reads every collected field of a row (the common one field read directly)."""
    if not readers:
        return lambda record: _NONE
    if len(readers) == 1:
        [(field, read)] = readers
        return lambda record: {field: read(record)}
    return lambda record: {field: read(record) for field, read in readers}


def _readers(layout: Layout, *, first: int) -> list[tuple[str, Reader]]:
    """A reader per collected field, of its columns from position `first` on."""
    readers = []
    position = first
    for needs in layout.needs:
        read, position = _reader(needs, layout.sums, position)
        readers.append((needs.field, read))
    return readers


def _reader(needs: Needs, sums: Sums, position: int) -> tuple[Reader, int]:
    """What reads one field's columns, and the position after them."""
    count_at = position if needs.count else None
    position += needs.count
    sum_at = position if needs.sums else None
    position += sums.value if needs.sums else 0
    values_at = position if needs.values else None
    position += needs.values
    add = _text_sum if sums is Sums.TEXT else _typed_sum

    def read(record: Record) -> Collected:
        total, non_numeric = (0, 0) if sum_at is None else add(record, sum_at)
        return Collected(
            0 if count_at is None else int(record[count_at]),
            total,
            non_numeric,
            () if values_at is None else tuple(record[values_at] or ()),
        )

    return read, position


def _text_sum(record: Record, at: int) -> tuple[int | float, int]:
    text = record[at]
    if text is None:
        return 0, 0
    if "." in text:
        raise NotIntegerSums()
    return _integer(int(text)), 0


def _typed_sum(record: Record, at: int) -> tuple[int | float, int]:
    return _total(record[at], record[at + 1]), int(record[at + 2])


def _has_fraction(exact: Decimal | None) -> bool:
    exponent = exact.as_tuple().exponent if exact is not None else 0
    return isinstance(exponent, int) and exponent < 0


def _integer(exact: int | Decimal) -> int | float:
    """An integer sum as MongoDB gives it: a 64-bit integer while it fits, else a double (its
    long sum overflows into one; a sum beyond any double is infinite: `float(Decimal)` gives
    that, where `float(int)` would raise)."""
    if MIN_INTEGER <= exact <= MAX_INTEGER:
        return int(exact)
    return float(Decimal(exact))


def _total(exact: Decimal | None, floating: float | None) -> int | float:
    """What MongoDB's `$sum` gives: the exact integer sum when every value is an integer (or
    boolean), else the sum in double precision, rounded as adding doubles rounds (or, when
    that overflowed and `floating` is None, the exact sum as the nearest double, infinity
    beyond the largest)."""
    if exact is None:
        return 0
    if _has_fraction(exact):  # some value was written with a fraction
        return float(exact if floating is None else floating)
    return _integer(exact)
