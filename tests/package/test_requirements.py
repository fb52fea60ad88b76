"""requirements.txt is pyproject.toml's dependencies pinned (issue 10), checked without the
network: every declared dependency is pinned once, at a version its constraint allows; every
pin is needed by a declared dependency (no stale ones); and what is installed here is what is
pinned. tools/compile_requirements.sh regenerates the file after a change to pyproject.toml."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
EXTRAS = ("dev",)  # the extras requirements.txt is compiled with


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = list(project["dependencies"])
    for extra in EXTRAS:
        names += project["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            requirement = Requirement(text)
            (version,) = [spec.version for spec in requirement.specifier if spec.operator == "=="]
            name = canonicalize_name(requirement.name)
            assert name not in found, f"{name} pinned twice"
            found[name] = version
    return found


def test_every_declared_dependency_is_pinned_within_its_constraint() -> None:
    pinned = pins()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pinned, (
            f"{requirement} is declared but not pinned: run tools/compile_requirements.sh"
        )
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{name}=={pinned[name]} does not satisfy {requirement}"
        )
        for extra in requirement.extras:  # psycopg[binary] -> psycopg-binary pinned too
            assert canonicalize_name(f"{name}-{extra}") in pinned, f"{name}[{extra}]"


def _needed() -> set[str]:
    """Every distribution the declared dependencies need, following installed metadata: a
    requirement counts when its marker holds for the extras its parent was asked with."""
    needed: set[str] = set()
    seen: set[tuple[str, frozenset[str]]] = set()
    pending = [(requirement, frozenset[str]()) for requirement in declared()]
    while pending:
        requirement, parent_extras = pending.pop()
        if requirement.marker is not None and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in (parent_extras or {""})
        ):
            continue
        name, extras = canonicalize_name(requirement.name), frozenset(requirement.extras)
        needed.add(name)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        pending.extend((Requirement(text), extras) for text in metadata.requires(name) or ())
    return needed


def test_every_pin_is_needed_and_installed_as_pinned() -> None:
    pinned = pins()
    stale = set(pinned) - _needed()
    assert stale == set(), f"pinned but needed by nothing declared: {sorted(stale)}"
    installed = {name: metadata.version(name) for name in pinned}
    assert installed == pinned, (
        "the environment differs from requirements.txt: run tools/bootstrap.sh"
    )


def test_requirements_say_how_they_were_made() -> None:
    header = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()[:6]
    assert any("pip-compile" in line and "pyproject.toml" in line for line in header)
