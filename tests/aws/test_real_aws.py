"""The real-AWS tier: runs only with credentials (``pytest -m aws``), skipped otherwise.

Point it at your resources with environment variables:
WORKBENCH_TEST_ATHENA_DATABASE / WORKBENCH_TEST_ATHENA_OUTPUT (s3://...) for Athena,
WORKBENCH_TEST_REDSHIFT_WORKGROUP (and WORKBENCH_TEST_REDSHIFT_DATABASE) for Redshift.
"""

from __future__ import annotations

import os

import pytest

from workbench.aws.athena import AthenaTarget
from workbench.aws.redshift_data import DataApiTarget
from workbench.aws.session import client
from workbench.core.config import AwsSettings

pytestmark = pytest.mark.aws


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"set {name} to run this real-AWS test")
    return value


def test_caller_identity() -> None:
    identity = client(
        "sts", AwsSettings(region=os.environ.get("AWS_REGION") or "us-east-1")
    ).get_caller_identity()
    assert identity["Account"].isdigit()


def test_athena_select_one() -> None:
    from workbench.warehouse.athena import AthenaWarehouse

    wh = AthenaWarehouse(
        AthenaTarget(
            database=_env("WORKBENCH_TEST_ATHENA_DATABASE"),
            s3_output=_env("WORKBENCH_TEST_ATHENA_OUTPUT"),
        ),
        timeout=120,
    )
    result = wh.execute("SELECT 1 AS one")
    assert result.frame["one"].tolist() == [1]
    assert result.bytes_scanned is not None


def test_redshift_select_one() -> None:
    from workbench.warehouse.redshift import RedshiftServerlessWarehouse

    target = DataApiTarget(
        workgroup=_env("WORKBENCH_TEST_REDSHIFT_WORKGROUP"),
        database=os.environ.get("WORKBENCH_TEST_REDSHIFT_DATABASE", "dev"),
    )
    wh = RedshiftServerlessWarehouse(target, timeout=120)
    assert wh.execute("SELECT 1 AS one").frame["one"].tolist() == [1]
