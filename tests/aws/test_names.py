"""``workbench config check`` refuses AWS names AWS would refuse, all at once."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from workbench.aws.names import aws_name_issues
from workbench.core.config import load_settings


def _check(tmp_path: Path, data: dict) -> object:
    from workbench.cli import _register, cli

    _register()
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return CliRunner().invoke(
        cli, ["--home", str(tmp_path), "--config", str(path), "config", "check"]
    )


def test_defaults_and_a_deployment_config_pass(tmp_path: Path) -> None:
    assert aws_name_issues(load_settings({})) == []
    good = {
        "aws": {"region": "eu-west-1"},
        "warehouse": {
            "redshift": {
                "workgroup": "workbench-wg",
                "iam_role_arn": "arn:aws:iam::123456789012:role/workbench-redshift-copy-eu-west-1",
                "s3_staging": "s3://workbench-123456789012-eu-west-1/data",
            },
            "athena": {"workgroup": "workbench-athena", "s3_output": "s3://bucket.with.dots/out/"},
        },
        "planner": {"bedrock": {"model_id": "eu.anthropic.claude-3-7-sonnet-20250219-v1:0"}},
    }
    result = _check(tmp_path, good)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]


def test_every_bad_aws_name_is_reported(tmp_path: Path) -> None:
    bad = {
        "aws": {"region": "US East"},
        "warehouse": {
            "redshift": {"workgroup": "Workbench_WG", "iam_role_arn": "workbench-copy"},
            "athena": {"database": "Work-Bench", "s3_data": "s3://My_Bucket/data"},
        },
        "invoker": {"lambda": {"supplier_function": "supplier analyzer"}},
        "planner": {"bedrock": {"model_id": "claude sonnet"}},
    }
    result = _check(tmp_path, bad)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    text = result.stderr  # type: ignore[attr-defined]
    for key in (
        "aws.region",
        "warehouse.redshift.workgroup",
        "warehouse.redshift.iam_role_arn",
        "warehouse.athena.database",
        "warehouse.athena.s3_data",
        "invoker.lambda.supplier_function",
        "planner.bedrock.model_id",
    ):
        assert key in text, key
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
