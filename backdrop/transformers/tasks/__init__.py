"""The transform functions, by the dotted names Stagecraft stores (STYLE 9).

The table is explicit and read-only: a name from the wire is looked up here, never imported.
A new transform is a module in this package, a line in `TRANSFORMS` and a test.

Every entry has the form `(rows, transform, source_config, lookups) -> records`; most
transforms are pure `(rows, transform, source_config)` functions and ignore the lookups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Protocol

from backdrop.core.errors import UnknownTransform
from backdrop.transformers.lookups import Lookups
from backdrop.transformers.rows import Config, Record, Rows
from backdrop.transformers.tasks import (
    debug,
    latest_dataset_value,
    latest_transaction_explorer_values,
    mapping,
    rate,
    user_satisfaction,
)

PureTransform = Callable[[Rows, Config, Config], list[Record]]


class Transform(Protocol):
    """What the worker calls: the input rows, the transform, the source config, lookups."""

    def __call__(
        self, rows: Rows, transform: Config, source_config: Config, lookups: Lookups
    ) -> list[Record]: ...


def pure(function: PureTransform) -> Transform:
    """A transform that needs no lookups, in the worker's four-argument form."""

    def call(
        rows: Rows, transform: Config, source_config: Config, lookups: Lookups
    ) -> list[Record]:
        return function(rows, transform, source_config)

    return call


TRANSFORMS: Mapping[str, Transform] = MappingProxyType(
    {
        "backdrop.transformers.tasks.rate.compute": pure(rate.compute),
        "backdrop.transformers.tasks.user_satisfaction.compute": pure(user_satisfaction.compute),
        "backdrop.transformers.tasks.mapping.compute": pure(mapping.compute),
        "backdrop.transformers.tasks.debug.logging": pure(debug.log_input),
        "backdrop.transformers.tasks.latest_dataset_value.compute": latest_dataset_value.compute,
        "backdrop.transformers.tasks.latest_transaction_explorer_values.compute": (
            latest_transaction_explorer_values.compute
        ),
    }
)


def transform_function(name: str) -> Transform:
    """The function registered under `name`; raises UnknownTransform for any other name."""
    try:
        return TRANSFORMS[name]
    except KeyError:
        raise UnknownTransform(f'No transform is registered as "{name}"') from None
