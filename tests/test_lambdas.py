"""Lambda handlers: event validation that never raises, and the deployable zips answering real events."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from tests.conftest import AS_OF
from workbench.app import Workbench
from workbench.core.errors import ConfigError, QueryTimeoutError, ThrottledError
from workbench.invokers.lambda_runtime import LambdaHandler, make_handler
from workbench.tools import registry

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = {
    "inventory_optimizer": "inventory",
    "logistics_optimizer": "logistics",
    "supplier_analyzer": "supplier",
}


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def handler(workbench: Workbench) -> LambdaHandler:
    return make_handler("inventory", warehouse_factory=lambda: workbench.warehouse)


MALFORMED: list[tuple[Any, str]] = [
    (None, "bad_request"),
    ([], "bad_request"),
    (42, "bad_request"),
    ("not json", "bad_request"),
    ({}, "bad_request"),
    ({"tool": ""}, "bad_request"),
    ({"tool": 7}, "bad_request"),
    ({"tool": "safety_stock", "arguments": "as_of=2026-06-30"}, "bad_request"),
    ({"tool": "safety_stock", "arguments": {}, "extra": 1}, "bad_request"),
    ({"body": "{not json"}, "bad_request"),
    ({"tool": "rm -rf /"}, "unknown_tool"),
    (
        {"tool": "optimize_delivery_route", "arguments": {}},
        "unknown_tool",
    ),  # another function's tool
    ({"tool": "safety_stock", "arguments": {}}, "invalid_arguments"),
    (
        {"tool": "safety_stock", "arguments": {"as_of": "2026-06-30", "service_level": 2}},
        "invalid_arguments",
    ),
    (
        {"tool": "safety_stock", "arguments": {"as_of": "2026-06-30", "product_ids": ["P9999"]}},
        "invalid_arguments",
    ),
]


@pytest.mark.parametrize(("event", "code"), MALFORMED, ids=[str(i) for i in range(len(MALFORMED))])
def test_malformed_events_get_a_400_body_and_never_raise(
    handler: LambdaHandler, event: Any, code: str
) -> None:
    response = handler(event, SimpleNamespace(aws_request_id="req-1"))
    assert response["statusCode"] == 400, response
    body = response["body"]
    assert body["error"] == code and body["message"]
    json.dumps(response)
    if code == "unknown_tool":
        assert set(body["tools"]) == set(registry.names("inventory"))
    if code == "invalid_arguments" and "problems" in body:
        assert body["problems"]


def test_well_formed_events_answer_200_in_all_accepted_shapes(handler: LambdaHandler) -> None:
    event = {"tool": "identify_low_stock", "arguments": {"warehouse_id": "WH-EAST"}}
    for shape in (event, json.dumps(event), {"body": json.dumps(event)}, {"body": event}):
        response = handler(shape, None)
        assert response["statusCode"] == 200, response
        body = response["body"]
        assert body["tool"] == "identify_low_stock" and body["rows"] and body["usage"]["warehouse"]
    assert (
        handler({"tool": "identify_low_stock"}, None)["statusCode"] == 200
    )  # arguments default to {}


def test_tool_failures_map_to_status_codes(workbench: Workbench) -> None:
    def broken() -> Any:
        raise RuntimeError("disk on fire")

    response = make_handler("logistics", warehouse_factory=broken)(
        {"tool": "calculate_warehouse_capacity"}, SimpleNamespace(aws_request_id="abc")
    )
    assert response["statusCode"] == 500
    assert response["body"]["error"] == "internal_error" and response["body"]["request_id"] == "abc"
    assert "disk on fire" not in json.dumps(response)  # internals stay in the log

    def misconfigured() -> Any:
        raise ConfigError("Unknown warehouse backend 'oracle'.", key="warehouse.backend")

    response = make_handler("logistics", warehouse_factory=misconfigured)(
        {"tool": "calculate_warehouse_capacity"}, None
    )
    assert response["statusCode"] == 500 and response["body"]["error"] == "config_error"

    class Slow:
        name = dialect = "duckdb"

        def execute(self, *a: Any, **k: Any) -> Any:
            raise QueryTimeoutError("The query took longer than 30 seconds and was stopped.")

    response = make_handler("logistics", warehouse_factory=lambda: Slow())(
        {"tool": "calculate_warehouse_capacity"}, None
    )  # type: ignore[arg-type,return-value]
    assert response["statusCode"] == 504 and response["body"]["error"] == "query_timeout"

    class Busy:
        name = dialect = "redshift"

        def execute(self, *a: Any, **k: Any) -> Any:
            raise ThrottledError(
                "redshift-data is busy right now; the workbench retried and gave up."
            )

    response = make_handler("logistics", warehouse_factory=lambda: Busy())(
        {"tool": "calculate_warehouse_capacity"}, None
    )  # type: ignore[arg-type,return-value]
    assert response["statusCode"] == 503 and response["body"]["retryable"] is True

    ok = make_handler("logistics", warehouse_factory=lambda: workbench.warehouse)
    response = ok(
        {
            "tool": "optimize_delivery_route",
            "arguments": {
                "as_of": "2026-06-30",
                "warehouse_id": "WH-WEST",
                "vehicles": 1,
                "vehicle_capacity": 1,
            },
        },
        None,
    )
    assert response["statusCode"] == 422 and response["body"]["error"] == "tool_error"


def test_warehouse_is_built_once_per_container(workbench: Workbench) -> None:
    built = []

    def factory() -> Any:
        built.append(1)
        return workbench.warehouse

    handler = make_handler("logistics", warehouse_factory=factory)
    for _ in range(3):
        assert handler({"tool": "calculate_warehouse_capacity"}, None)["statusCode"] == 200
    assert built == [1]
    with pytest.raises(ValueError):
        make_handler("sales")


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_repo_handlers_are_thin_and_bound_to_their_agent(name: str) -> None:
    source = (ROOT / "lambdas" / name / "handler.py").read_text(encoding="utf-8")
    code = [
        line
        for line in source.split('"""')[-1].splitlines()
        if line.strip() and not line.startswith(("from __future__", "#"))
    ]
    assert len(code) <= 3, code
    module = _load(ROOT / "lambdas" / name / "handler.py", f"handler_{name}")
    assert isinstance(module.handler, LambdaHandler) and module.handler.agent == FUNCTIONS[name]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build = _load(ROOT / "scripts" / "build_lambdas.py", "build_lambdas")
    out = tmp_path_factory.mktemp("dist")
    assert build.main(["--out", str(out)]) == 0
    return out


def test_build_script_makes_reproducible_zips(built: Path, tmp_path: Path) -> None:
    build = _load(ROOT / "scripts" / "build_lambdas.py", "build_lambdas_again")
    for name in FUNCTIONS:
        path = built / f"{name}.zip"
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            assert (
                "handler.py" in names
                and "workbench/__init__.py" in names
                and "workbench/tools/catalog.py" in names
            )
            assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
            assert all(not n.startswith(("tests/", "pandas/", "numpy/")) for n in names)
            assert zf.read("handler.py") == (ROOT / "lambdas" / name / "handler.py").read_bytes()
        again = build.build_lambda(name, tmp_path)
        assert again.read_bytes() == path.read_bytes()
    reqs = (built / "requirements-layer.txt").read_text().split()
    assert any(r.startswith("statsmodels") for r in reqs) and not any(
        r.startswith("voila") for r in reqs
    )


ZIP_EVENTS: dict[str, dict[str, Any]] = {
    "logistics_optimizer": {
        "tool": "optimize_delivery_route",
        "arguments": {"as_of": AS_OF.isoformat(), "warehouse_id": "WH-WEST"},
    },
    "inventory_optimizer": {
        "tool": "reorder_point",
        "arguments": {"as_of": AS_OF.isoformat(), "product_ids": ["P0001"]},
    },
    "supplier_analyzer": {
        "tool": "analyze_supplier_performance",
        "arguments": {"as_of": AS_OF.isoformat()},
    },
}

#: Runs in a fresh interpreter: for each extracted zip, import ``handler`` and ``workbench`` from
#: that directory alone (earlier copies dropped from sys.modules) and answer its event.
_PROBE = """
import importlib, json, sys
for directory, event in json.loads(sys.argv[1]):
    for mod in [m for m in sys.modules if m == "handler" or m == "workbench" or m.startswith("workbench.")]:
        del sys.modules[mod]
    sys.path.insert(0, directory)
    handler = importlib.import_module("handler")
    workbench = importlib.import_module("workbench")
    assert workbench.__file__.startswith(directory), workbench.__file__
    assert handler.__file__.startswith(directory), handler.__file__
    print(json.dumps([handler.handler(event, None), handler.handler({"tool": "no_such_tool"}, None)]))
    sys.path.remove(directory)
"""


def test_zips_import_and_answer_real_events(
    built: Path, sample_home: Path, tmp_path: Path, workbench: Workbench
) -> None:
    jobs = []
    for name, event in ZIP_EVENTS.items():
        extracted = tmp_path / name
        with zipfile.ZipFile(built / f"{name}.zip") as zf:
            zf.extractall(extracted)
        jobs.append([str(extracted), event])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "PYTHON"))}
    # The venv's site-packages stands in for the dependency layer; -S keeps the site module
    # (and with it the editable install of this repo) out, so only the zip's code can load.
    env.update(PYTHONPATH=sysconfig.get_paths()["purelib"], WORKBENCH_HOME=str(sample_home))
    done = subprocess.run(
        [sys.executable, "-S", "-c", _PROBE, json.dumps(jobs)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answers = [json.loads(line) for line in done.stdout.strip().splitlines()[-len(jobs) :]]
    for (name, event), (ok, bad) in zip(ZIP_EVENTS.items(), answers, strict=True):
        assert ok["statusCode"] == 200, (name, ok)
        expected = registry.call(event["tool"], event["arguments"], workbench.warehouse).to_dict()
        body = ok["body"]
        assert body.pop("usage")["warehouse"], name
        assert body == expected, name
        assert bad["statusCode"] == 400 and bad["body"]["error"] == "unknown_tool"
        assert set(bad["body"]["tools"]) == set(registry.names(FUNCTIONS[name]))
