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


def test_pip_section_installs_this_package_with_the_run_extras() -> None:
    run_extras = _extras(_makefile_var("RUN_EXTRAS"))
    assert run_extras, "Makefile RUN_EXTRAS is empty"
    editable = []
    for line in _pip_section(_env()):
        match = re.fullmatch(r"-e\s+[\"']?\.(?:\[([^\]]*)\])?[\"']?", line.strip())
        if match:
            editable.append(_extras(match.group(1) or ""))
    assert len(editable) == 1, "the pip section must install this package once, as '-e .[extras]'"
    assert editable[0] == run_extras, (
        f"environment.yml installs extras {sorted(editable[0])}, the Makefile's RUN_EXTRAS "
        f"are {sorted(run_extras)}"
    )


def test_run_extras_exist_in_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = set(project["optional-dependencies"])
    assert _extras(_makefile_var("RUN_EXTRAS")) <= declared
    assert _extras(_makefile_var("TEST_EXTRAS")) <= declared
    # the extras spelled in environment.yml resolve to real requirements
    for extra in _extras(_makefile_var("RUN_EXTRAS")):
        assert all(Requirement(r) for r in project["optional-dependencies"][extra])
