"""Lambda handlers: event validation that never raises, and the deployable zips answering real events."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from tests.conftest import AS_OF, copy_sample_home
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


IMAGE_EVENTS: dict[str, dict[str, Any]] = {
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

#: Runs in a clean interpreter (-S: no site-packages, -E: no PYTHON* variables) whose path is
#: the image's: the task root (handlers) and the directory the image's requirements went into.
_PROBE = """
import importlib, importlib.util, json, sys
task_root, site, events = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path[:0] = [task_root, site]
import workbench
assert workbench.__file__.startswith(site), workbench.__file__
# matplotlib is there: PyVRP (the fleet route solver) requires it for its plots.
absent = [m for m in ("voila", "ipywidgets", "papermill", "nbconvert", "ipykernel")
          if importlib.util.find_spec(m) is not None]
out = {"absent_ui_packages_found": absent, "answers": {}}
for name, event in events.items():
    module = importlib.import_module(name + ".handler")
    assert module.__file__.startswith(task_root), module.__file__
    out["answers"][name] = [module.handler(event, None), module.handler({"tool": "no_such_tool"}, None)]
print(json.dumps(out))
"""


def _image_dependencies(target: Path) -> None:
    """What the Dockerfile's ``pip install -r lambdas/requirements.txt`` + the package do, into ``target``.

    uv installs the hash-locked set from its wheel cache (a fresh machine downloads it once).
    The package itself is copied as its wheel would lay it out (sources and package data).
    """
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", sys.executable, "--target", str(target),
         "--require-hashes", "-r", str(ROOT / "lambdas" / "requirements.txt")],
        check=True,
        timeout=900,
    )  # fmt: skip
    shutil.copytree(
        ROOT / "workbench",
        target / "workbench",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        dirs_exist_ok=True,
    )


@pytest.mark.slow
def test_the_image_dependency_set_installs_and_every_handler_answers(
    sample_home: Path, tmp_path: Path, workbench: Workbench
) -> None:
    site, task_root = tmp_path / "site", tmp_path / "task"
    _image_dependencies(site)
    for name in FUNCTIONS:  # as the Dockerfile copies them into LAMBDA_TASK_ROOT
        shutil.copytree(ROOT / "lambdas" / name, task_root / name)
    shutil.copy(ROOT / "lambdas" / "config.yaml", task_root / "workbench-lambda.yaml")
    home = copy_sample_home(sample_home, tmp_path / "home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "WB_", "PYTHON"))}
    env.update(  # what the stack sets on every function, with the embedded warehouse standing in
        WORKBENCH_HOME=str(home),
        WORKBENCH_CONFIG=str(task_root / "workbench-lambda.yaml"),
        WB_WAREHOUSE_BACKEND="duckdb",
        WB_WAREHOUSE_TIMEOUT="30",
        WB_REDSHIFT_WORKGROUP="workbench-wg",
        WB_REDSHIFT_DATABASE="dev",
        WB_GLUE_DATABASE="workbench",
        WB_ATHENA_WORKGROUP="workbench-athena",
        WB_BUCKET="workbench-123456789012-us-east-1",
        WB_REGION="us-east-1",
    )
    done = subprocess.run(
        [sys.executable, "-S", "-E", "-c", _PROBE, str(task_root), str(site), json.dumps(IMAGE_EVENTS)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["absent_ui_packages_found"] == []  # the image holds what tools need, no UI
    for name, event in IMAGE_EVENTS.items():
        ok, bad = out["answers"][name]
        assert ok["statusCode"] == 200, (name, ok)
        expected = registry.call(event["tool"], event["arguments"], workbench.warehouse).to_dict()
        body = ok["body"]
        assert body.pop("usage")["warehouse"], name
        assert body == expected, name
        assert bad["statusCode"] == 400 and bad["body"]["error"] == "unknown_tool"
        assert set(bad["body"]["tools"]) == set(registry.names(FUNCTIONS[name]))
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    print(f"Lambda image dependencies unpacked: {size / 2**20:.0f} MiB")


def test_image_requirements_hold_the_tools_dependencies_only() -> None:
    """lambdas/requirements.txt: every core and aws requirement, hash-pinned, no UI or report package."""
    import tomllib

    from packaging.requirements import Requirement

    text = (ROOT / "lambdas" / "requirements.txt").read_text(encoding="utf-8")
    pins = {
        line.split("==")[0].lower(): line.split("==")[1].split()[0]
        for line in text.splitlines()
        if line and line[0].isalnum() and "==" in line
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for spec in [*project["dependencies"], *project["optional-dependencies"]["aws"]]:
        req = Requirement(spec)
        assert req.name.lower() in pins, f"{req.name} is missing from lambdas/requirements.txt"
        assert pins[req.name.lower()] in req.specifier, (req.name, pins[req.name.lower()])
    assert "awswrangler" in pins and "--hash=sha256:" in text
    # matplotlib is in: PyVRP (the fleet route solver) requires it for its plotting helpers.
    for ui in (
        "voila",
        "ipywidgets",
        "papermill",
        "nbconvert",
        "ipykernel",
        "jupyter-server",
    ):
        assert ui not in pins, ui


def test_dockerfile_builds_the_image_from_those_files() -> None:
    dockerfile = (ROOT / "lambdas" / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("#") and "FROM public.ecr.aws/lambda/python:3.11" in dockerfile
    assert "--require-hashes -r /tmp/requirements.txt" in dockerfile
    for name in FUNCTIONS:
        assert f"COPY lambdas/{name} ${{LAMBDA_TASK_ROOT}}/{name}" in dockerfile
    assert "lambdas/config.yaml ${LAMBDA_TASK_ROOT}/workbench-lambda.yaml" in dockerfile
