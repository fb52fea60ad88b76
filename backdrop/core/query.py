"""The Query value object: a validated read (spec 2.2), as every engine receives it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from backdrop.core.periods import Period

CollectMethod = Literal["sum", "count", "set", "mean", "default"]
COLLECT_METHODS: tuple[str, ...] = ("sum", "count", "set", "mean")


@dataclass(frozen=True, slots=True)
class Collect:
    """One `collect=field[:method]` parameter."""

    field: str
    method: CollectMethod = "default"
    # `field:method`; the default method is presented as `field:set` (spec 2.4.6). Kept, not
    # computed per use: shaping asks for it once per row.
    output_key: str = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        method = "set" if self.method == "default" else self.method
        object.__setattr__(self, "output_key", f"{self.field}:{method}")


@dataclass(frozen=True, slots=True)
class Needs:
    """What the database must gather of one collected field for the reducers asked of it
    (spec 2.4.6), so that each engine computes only that: a count of its present values
    (`count`, `mean`), their sum with the values that are not numbers counted (`sum`, `mean`),
    its distinct values (`set`, the default)."""

    field: str
    count: bool = False
    sums: bool = False
    values: bool = False

    @classmethod
    def of(cls, field: str, methods: Iterable[str]) -> Needs:
        asked = set(methods)
        return cls(
            field,
            count=bool(asked & {"count", "mean"}),
            sums=bool(asked & {"sum", "mean"}),
            values=bool(asked & {"set", "default"}),
        )


@dataclass(frozen=True, slots=True)
class SortBy:
    """One `sort_by=field:direction` parameter."""

    field: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """A validated read. Built by `parse_query`; engines read it, never change it.

    `start_at` is inclusive; `end_at` exclusive unless `inclusive`. Both aware UTC.
    `delta` is the signed `duration` of a relative range (+ forward, - backward), kept for
    the one-time shift of spec 2.6.
    """

    start_at: datetime | None = None
    end_at: datetime | None = None
    inclusive: bool = False
    period: Period | None = None
    delta: int | None = None
    filter_by: tuple[tuple[str, Any], ...] = ()
    filter_by_prefix: tuple[tuple[str, str], ...] = ()
    group_by: tuple[str, ...] = ()
    collect: tuple[Collect, ...] = ()
    sort_by: SortBy | None = None
    limit: int | None = None
    flatten: bool = False

    @property
    def is_raw(self) -> bool:
        """A raw query returns stored records: no `group_by`, no `period` (spec 2.4.2)."""
        return not self.group_by and self.period is None

    @property
    def collected_fields(self) -> tuple[str, ...]:
        """Each collected field once, in first-mention order."""
        return tuple(dict.fromkeys(collect.field for collect in self.collect))

    @property
    def needs(self) -> tuple[Needs, ...]:
        """What to gather of each collected field, in `collected_fields` order."""
        methods: dict[str, list[str]] = {}
        for collect in self.collect:
            methods.setdefault(collect.field, []).append(collect.method)
        return tuple(Needs.of(name, asked) for name, asked in methods.items())

    def shifted(self, periods: int) -> Query:
        """The same query with its range moved by whole periods (spec 2.6 shifting)."""
        if self.period is None or self.start_at is None or self.end_at is None:
            return self
        return replace(
            self,
            start_at=self.period.shift(self.start_at, periods),
            end_at=self.period.shift(self.end_at, periods),
        )
