"""requirements.lock agrees with pyproject.toml, so a fresh clone installs the versions tested."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

PROJECT_ROOT = Path(__file__).parents[2]
LOCK = PROJECT_ROOT / "requirements.lock"
PROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
# How uv's annotations name a requirement that pyproject.toml asks for itself.
FROM_PYPROJECT = f"{PROJECT['name']} (pyproject.toml)"
RELOCK = "pyproject.toml and requirements.lock disagree: run `make lock`"


@dataclass(frozen=True)
class Locked:
    """One package of the lock: its pin, its hashes and what asked for it."""

    version: Version | None
    hashes: tuple[str, ...]
    wanted_by: frozenset[str]


def declared() -> dict[NormalizedName, Requirement]:
    """The project's own requirements, every extra included (the lock holds them all)."""
    extras = PROJECT["optional-dependencies"].values()
    lines = [*PROJECT["dependencies"], *(line for extra in extras for line in extra)]
    return {canonicalize_name(req.name): req for req in map(Requirement, lines)}


def locked() -> dict[NormalizedName, Locked]:
    """Each entry of the lock, as `uv pip compile --generate-hashes` writes it."""
    entries: dict[NormalizedName, Locked] = {}
    for block in _entries(LOCK.read_text()):
        pin, _, version = block[0].removesuffix("\\").strip().partition("==")
        hashes = tuple(
            line.strip().removesuffix("\\").strip()
            for line in block
            if line.strip().startswith("--hash=")
        )
        notes = [
            line.strip().removeprefix("#").strip() for line in block if line.strip().startswith("#")
        ]
        wanted_by = {note.removeprefix("via").strip() for note in notes} - {""}
        entries[canonicalize_name(pin)] = Locked(
            version=Version(version.strip()) if version else None,
            hashes=hashes,
            wanted_by=frozenset(wanted_by),
        )
    return entries


def _entries(text: str) -> list[list[str]]:
    """The lines of each package: its pin, then its indented hashes and annotations."""
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            blocks.append([line])
        elif blocks and line.strip():
            blocks[-1].append(line)
    return blocks


def test_every_requirement_is_locked_at_a_version_it_allows() -> None:
    lock = locked()
    wrong = {
        str(req): lock[name].version if name in lock else "missing"
        for name, req in declared().items()
        if name not in lock or lock[name].version not in req.specifier
    }
    assert not wrong, f"{RELOCK}; locked as {wrong}"


def test_the_lock_asks_for_nothing_pyproject_no_longer_does() -> None:
    asked_by_pyproject = {
        name for name, entry in locked().items() if FROM_PYPROJECT in entry.wanted_by
    }
    assert asked_by_pyproject == set(declared()), (
        f"{RELOCK}; only in the lock: {sorted(asked_by_pyproject - set(declared()))}, "
        f"only in pyproject.toml: {sorted(set(declared()) - asked_by_pyproject)}"
    )


def test_every_package_is_pinned_with_its_hashes() -> None:
    loose = [
        name
        for name, entry in locked().items()
        if entry.version is None
        or not entry.hashes
        or not all(digest.startswith("--hash=sha256:") for digest in entry.hashes)
    ]
    assert not loose, f"pinned without == or sha256 hashes (pip --require-hashes refuses): {loose}"
