"""The seeded workload: licensing-style records and the answers every query must give."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from backdrop.core.periods import Period

START = datetime(2023, 1, 2, tzinfo=UTC)  # a Monday; records span 104 weeks from here
END = START + timedelta(weeks=104)
AUTHORITIES = tuple(f"authority-{index:03d}" for index in range(300))
LICENCES = tuple(f"Licence {index:02d}" for index in range(40))
CHANNELS = ("online", "paper", "phone", "assisted", "agent")
TYPES = ("success", "failure")


@dataclass(frozen=True, slots=True)
class Workload:
    """The generated records, kept compact: one tuple per record."""

    timestamps: tuple[datetime, ...]
    authorities: tuple[int, ...]
    licences: tuple[int, ...]
    channels: tuple[int, ...]
    types: tuple[int, ...]
    counts: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.timestamps)

    def record(self, index: int) -> dict[str, Any]:
        """Record `index` as a client would post it."""
        return {
            "_id": f"rec-{index:07d}",
            "_timestamp": self.timestamps[index].strftime("%Y-%m-%dT%H:%M:%SZ"),
            "authority": AUTHORITIES[self.authorities[index]],
            "licence_name": LICENCES[self.licences[index]],
            "channel": CHANNELS[self.channels[index]],
            "type": TYPES[self.types[index]],
            "count": self.counts[index],
        }

    def batches(self, size: int, start: int = 0, stop: int | None = None
                ) -> Iterator[list[dict[str, Any]]]:  # fmt: skip
        """Records [start, stop) as client batches of `size`, made one at a time."""
        stop = len(self) if stop is None else stop
        for first in range(start, stop, size):
            yield [self.record(index) for index in range(first, min(first + size, stop))]


def generate(count: int, seed: int = 20141127) -> Workload:
    """`count` records, the same for the same seed on every machine."""
    rng = random.Random(seed)
    span = int((END - START).total_seconds())
    return Workload(
        timestamps=tuple(START + timedelta(seconds=rng.randrange(span)) for _ in range(count)),
        authorities=tuple(rng.randrange(len(AUTHORITIES)) for _ in range(count)),
        licences=tuple(rng.randrange(len(LICENCES)) for _ in range(count)),
        channels=tuple(rng.randrange(len(CHANNELS)) for _ in range(count)),
        types=tuple(rng.randrange(len(TYPES)) for _ in range(count)),
        counts=tuple(rng.randrange(1, 100) for _ in range(count)),
    )


def selected(workload: Workload, start: datetime | None, end: datetime | None) -> Iterator[int]:
    """Indexes of the records in [start, end)."""
    for index, stamp in enumerate(workload.timestamps):
        if (start is None or stamp >= start) and (end is None or stamp < end):
            yield index


def counts_by(
    workload: Workload,
    keys: Sequence[str],
    start: datetime | None,
    end: datetime | None,
    period: Period | None = None,
    where: dict[str, str] | None = None,
) -> tuple[Counter[tuple[Any, ...]], dict[tuple[Any, ...], int]]:
    """Record counts and `count` sums per key combination (the expected answers)."""
    columns = {
        "authority": (workload.authorities, AUTHORITIES),
        "licence_name": (workload.licences, LICENCES),
        "channel": (workload.channels, CHANNELS),
        "type": (workload.types, TYPES),
    }
    counted: Counter[tuple[Any, ...]] = Counter()
    summed: dict[tuple[Any, ...], int] = defaultdict(int)
    for index in selected(workload, start, end):
        if where and any(columns[k][1][columns[k][0][index]] != v for k, v in where.items()):
            continue
        key: tuple[Any, ...] = tuple(columns[name][1][columns[name][0][index]] for name in keys)
        if period is not None:
            key = (*key, period.start(workload.timestamps[index]))
        counted[key] += 1
        summed[key] += workload.counts[index]
    return counted, summed
