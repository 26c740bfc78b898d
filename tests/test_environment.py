"""environment.yml (the SageMaker conda env) installs this package with the Makefile's run extras."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]


def _makefile_var(name: str) -> str:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{name}\s*:?=\s*(.*?)\s*$", text, re.MULTILINE)
    assert match, f"Makefile has no {name}"
    return match.group(1)


def _extras(spec: str) -> set[str]:
    return {e.strip() for e in spec.split(",") if e.strip()}


def _env() -> dict:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert isinstance(env, dict)
    return env


def _pip_section(env: dict) -> list[str]:
    sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1, "environment.yml needs exactly one pip section"
    return [str(line) for line in sections[0]]


def test_environment_parses_with_python_and_pip() -> None:
    env = _env()
    assert env["name"]
    assert env["channels"]
    plain = [d for d in env["dependencies"] if isinstance(d, str)]
    assert "pip" in plain
    python = next(d for d in plain if d.split("=")[0] == "python")
    version = python.split("=", 1)[1].lstrip("=")
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "requires-python"
    ]
    assert SpecifierSet(requires).contains(version + ".0"), (version, requires)
    assert version == "3.11"


def test_pip_section_installs_the_run_lock() -> None:
    """The conda env takes the same hash-locked versions as `make run` (the package follows)."""
    lines = [line.strip() for line in _pip_section(_env())]
    assert lines == ["-r requirements/run.lock"], lines
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-r requirements/run.lock" in makefile


def _locked(name: str) -> dict[str, str]:
    """Package name -> locked version(s) in requirements/NAME.lock (markers kept apart)."""
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements" / f"{name}.lock").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;]+)", line)
        if match:
            key = re.sub(r"[-_.]+", "-", match.group(1)).lower()
            pins.setdefault(key, match.group(2))
    return pins


def _requirements(extras: set[str]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in sorted(extras):
        reqs += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return reqs


def test_locks_agree_with_pyproject() -> None:
    """Every requirement is locked at a version its specifier allows, and hashes are present."""
    for lock, extras in (
        ("run", _extras(_makefile_var("RUN_EXTRAS"))),
        ("dev", _extras(_makefile_var("TEST_EXTRAS"))),
    ):
        pins = _locked(lock)
        text = (ROOT / "requirements" / f"{lock}.lock").read_text(encoding="utf-8")
        assert "--hash=sha256:" in text
        for req in _requirements(extras):
            if req.marker is not None and not req.marker.evaluate():
                continue
            key = re.sub(r"[-_.]+", "-", req.name).lower()
            assert key in pins, f"{req.name} is in pyproject.toml but not in {lock}.lock"
            assert req.specifier.contains(pins[key], prereleases=True), (
                f"{lock}.lock pins {req.name}=={pins[key]}, pyproject.toml asks {req.specifier}"
            )


def test_run_lock_versions_equal_the_dev_lock() -> None:
    run, dev = _locked("run"), _locked("dev")
    differ = {k: (v, dev.get(k)) for k, v in run.items() if dev.get(k) != v}
    assert not differ, f"run.lock and dev.lock disagree: {differ}"


def test_run_extras_exist_in_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = set(project["optional-dependencies"])
    assert _extras(_makefile_var("RUN_EXTRAS")) <= declared
    assert _extras(_makefile_var("TEST_EXTRAS")) <= declared
    # the extras spelled in environment.yml resolve to real requirements
    for extra in _extras(_makefile_var("RUN_EXTRAS")):
        assert all(Requirement(r) for r in project["optional-dependencies"][extra])
