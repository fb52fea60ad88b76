"""core/errors.py draws its exception tree in its docstring so callers can choose what to
catch without reading the code: the drawing must name every class, under its real parent."""

from __future__ import annotations

import inspect
import re

from backdrop.core import errors

# A drawn line: `├─ Name` or `└─ Name`; the marker's column gives the depth.
_DRAWN = re.compile(r"^(?P<indent>[ │]*)[├└]─ (?P<name>\w+)")


def _drawn_parents() -> dict[str, str]:
    """Each drawn class with the class drawn above it one level up."""
    assert errors.__doc__ is not None
    parents: dict[str, str] = {}
    path = ["BackdropError"]
    for line in errors.__doc__.splitlines():
        found = _DRAWN.match(line)
        if found is None:
            continue
        depth = len(found["indent"]) // 4 + 1
        del path[depth:]
        parents[found["name"]] = path[-1]
        path.append(found["name"])
    return parents


def test_the_docstring_draws_every_error_under_its_parent() -> None:
    classes = {
        name: cls
        for name, cls in vars(errors).items()
        if inspect.isclass(cls)
        and issubclass(cls, errors.BackdropError)
        and cls is not errors.BackdropError
    }
    actual = {name: cls.__bases__[0].__name__ for name, cls in classes.items()}
    assert _drawn_parents() == actual
