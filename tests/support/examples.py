"""How many examples the property and fuzz tests try: their bounded counts in the suite, times
`BACKDROP_TEST_EXAMPLES_SCALE` for a long run of the same tests (e.g. 40 before a release)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings


def scaled(examples: int) -> int:
    """`examples`, times the scale the environment asks for (default 1)."""
    return examples * int(os.environ.get("BACKDROP_TEST_EXAMPLES_SCALE") or 1)


def bounded(examples: int) -> settings:
    """Derandomised (the same examples every run), no example database, no per-example
    deadline (HTTP round trips vary), `examples` at most (`scaled`), and no "explain" phase
    (it reruns a failure hundreds of times): a failing property still shrinks to a small
    example, fast."""
    return settings(
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=scaled(examples),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
