"""Athena specifics beyond the contract: workgroup and result location, bytes scanned, registry wiring."""

from __future__ import annotations

import sys
from pathlib import Path

import boto3
import pytest

from tests.aws.stack import GLUE_DATABASE, REGION, RESULTS_BUCKET, aws_settings, offline_aws
from workbench.core.errors import MissingDependencyError
from workbench.warehouse.athena import AthenaWarehouse
from workbench.warehouse.base import create_warehouse
from workbench.warehouse.redshift import RedshiftServerlessWarehouse


def test_query_runs_in_the_workgroup_and_reports_bytes_scanned(sample_home: Path) -> None:
    with offline_aws(sample_home, load=("athena",)) as stack:
        wh = AthenaWarehouse.from_settings(stack.settings)
        result = wh.execute(
            "SELECT category, COUNT(*) AS products FROM product GROUP BY category ORDER BY category"
        )
        assert len(result.frame) == 7
        execution = boto3.client("athena", region_name=REGION).get_query_execution(
            QueryExecutionId=result.query_id
        )["QueryExecution"]
        assert execution["QueryExecutionContext"]["Database"] == GLUE_DATABASE
        assert execution["ResultConfiguration"]["OutputLocation"].startswith(
            f"s3://{RESULTS_BUCKET}/results/"
        )
        # The fake scans whole Parquet objects of the tables read, as Athena without column pruning.
        assert result.bytes_scanned == stack.athena.scanned[result.query_id] > 0
        joined = wh.execute(
            "SELECT COUNT(*) AS n FROM sales_order_line l JOIN product p ON p.product_id = l.product_id"
        )
        assert joined.bytes_scanned is not None and joined.bytes_scanned > result.bytes_scanned


def test_partition_column_is_queryable(sample_home: Path) -> None:
    with offline_aws(sample_home, load=("athena",)) as stack:
        wh = AthenaWarehouse.from_settings(stack.settings)
        frame = wh.execute(
            "SELECT order_month, COUNT(*) AS orders FROM sales_order_header GROUP BY order_month ORDER BY order_month"
        ).frame
        assert frame["order_month"].str.match(r"^\d{4}-\d{2}$").all()
        total = wh.execute("SELECT COUNT(*) AS n FROM sales_order_header").frame["n"].iloc[0]
        assert frame["orders"].sum() == total


def test_registry_builds_the_configured_backend_lazily(sample_home: Path) -> None:
    settings = aws_settings(sample_home)
    athena = create_warehouse(
        settings.replace(warehouse={**settings.warehouse.model_dump(), "backend": "athena"})
    )
    redshift = create_warehouse(
        settings.replace(warehouse={**settings.warehouse.model_dump(), "backend": "redshift"})
    )
    assert isinstance(athena, AthenaWarehouse) and athena.dialect == "athena"
    assert isinstance(redshift, RedshiftServerlessWarehouse) and redshift.dialect == "redshift"
    assert redshift._client is None  # no client (and no network) until the first query


def test_missing_boto3_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.aws import session

    monkeypatch.setitem(sys.modules, "boto3", None)
    with pytest.raises(MissingDependencyError) as info:
        session.make_session()
    assert "pip install 'workbench[aws]'" in str(info.value)
    monkeypatch.setitem(sys.modules, "awswrangler", None)
    with pytest.raises(MissingDependencyError, match="awswrangler"):
        session.awswrangler()
