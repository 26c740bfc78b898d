"""Build the deployable zip of each specialist Lambda function into ``lambdas/dist/``.

Each ``<name>.zip`` holds ``handler.py`` (from ``lambdas/<name>/``) at its root plus the
pure-Python ``workbench`` package (``.py`` sources and package data, no caches), so the
function's handler setting is ``handler.handler``. Zips are reproducible: sorted entries,
fixed timestamps and permissions, so an unchanged tree gives a byte-identical zip.

The heavy third-party dependencies (pandas, numpy, scipy, statsmodels, ortools, duckdb,
sqlglot, jsonschema, pydantic, PyYAML, rapidfuzz, and the driver of the configured
warehouse) are NOT in these zips: they come from a Lambda layer built for the Lambda
platform, e.g.::

    pip install --platform manylinux2014_x86_64 --implementation cp --python-version 3.11 \
        --only-binary=:all: --target layer/python -r lambdas/dist/requirements-layer.txt
    (cd layer && zip -r9 ../workbench-deps-layer.zip python)

``requirements-layer.txt`` is written next to the zips from pyproject's dependencies minus
the notebook/UI ones. Together these libraries exceed Lambda's 250 MB unzipped limit for
function + layers unless trimmed (drop tests, ``__pycache__``, unused OR-Tools solvers);
where that is not enough, ship the same tree as a container image
(``public.ecr.aws/lambda/python:3.11`` + ``pip install -r requirements-layer.txt``).
In the function configuration set ``WORKBENCH_HOME=/tmp/workbench`` (writable) and
``WORKBENCH_CONFIG`` to a config file selecting the Redshift or Athena warehouse.

Usage: ``python scripts/build_lambdas.py [--out DIR] [NAME ...]``.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAMBDAS = ROOT / "lambdas"
PACKAGE = ROOT / "workbench"
FUNCTIONS = ("inventory_optimizer", "logistics_optimizer", "supplier_analyzer")
#: Package data shipped beside the sources (mirrors [tool.setuptools.package-data]).
DATA_SUFFIXES = (".py", ".yaml", ".yml", ".json", ".typed")
#: Runtime dependencies a tool function never imports (notebooks, dashboards, auth).
NOT_IN_LAYER = {
    "matplotlib",
    "ipywidgets",
    "ipykernel",
    "voila",
    "papermill",
    "nbconvert",
    "bcrypt",
}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _package_files() -> Iterator[tuple[Path, str]]:
    for path in sorted(PACKAGE.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix not in DATA_SUFFIXES:
            continue
        yield path, path.relative_to(ROOT).as_posix()


def _add(zf: zipfile.ZipFile, source: Path, arcname: str) -> None:
    info = zipfile.ZipInfo(arcname, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, source.read_bytes())


def build_lambda(name: str, out_dir: Path | None = None) -> Path:
    """Write ``<out_dir>/<name>.zip`` and return its path."""
    if name not in FUNCTIONS:
        raise SystemExit(f"unknown function {name!r}; choose from {', '.join(FUNCTIONS)}")
    handler = LAMBDAS / name / "handler.py"
    if not handler.is_file():
        raise SystemExit(f"{handler} is missing")
    out_dir = out_dir or LAMBDAS / "dist"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.zip"
    tmp = target.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        _add(zf, handler, "handler.py")
        for path, arcname in _package_files():
            _add(zf, path, arcname)
    tmp.replace(target)
    return target


def layer_requirements() -> list[str]:
    """pyproject's runtime dependencies that the tools need inside Lambda."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = []
    for spec in project["dependencies"]:
        name = re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower()
        if name not in NOT_IN_LAYER:
            reqs.append(spec)
    return reqs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "names", nargs="*", default=list(FUNCTIONS), help="functions to build (default: all)"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="output directory (default lambdas/dist)"
    )
    args = parser.parse_args(argv)
    out_dir = args.out or LAMBDAS / "dist"
    for name in args.names:
        path = build_lambda(name, out_dir)
        with zipfile.ZipFile(path) as zf:
            count = len(zf.namelist())
        print(f"{path}  {path.stat().st_size / 1024:.0f} KiB  {count} files")
    (out_dir / "requirements-layer.txt").write_text(
        "\n".join(layer_requirements()) + "\n", encoding="utf-8"
    )
    print(f"{out_dir / 'requirements-layer.txt'}  (build the dependency layer from this)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
