"""Property tests share the fault tests' apps (in-process, over the Stagecraft stand-in and
over the built-in registry) and one hypothesis setting: a fixed seed, bounded examples."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

from tests.faults.conftest import builtin, http, new_data_set, read_url, write_url
from tests.support.examples import scaled

__all__ = ["bounded", "builtin", "http", "new_data_set", "read_url", "write_url"]


def bounded(examples: int) -> settings:
    """Derandomised (the same examples every run), no example database, no per-example
    deadline (HTTP round trips vary), `examples` at most (tests/support/examples.py scales
    them), and no "explain" phase (it reruns a failure hundreds of times): a failing property
    still shrinks to a small example, fast."""
    return settings(
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=scaled(examples),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
