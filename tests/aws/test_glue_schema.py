"""Descriptions from the Glue Data Catalog (moto), cached, with the data model as fallback."""

from __future__ import annotations

from pathlib import Path

import awswrangler as wr
import boto3

from tests.aws.stack import GLUE_DATABASE, REGION, offline_aws
from workbench.data.schema import DATA_TABLES, PERSONA_TABLES, Persona
from workbench.warehouse.glue_schema import GlueSchemaProvider


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_tables_and_column_descriptions_come_from_glue(sample_home: Path) -> None:
    with offline_aws(sample_home, load=("athena",)):
        provider = GlueSchemaProvider(GLUE_DATABASE)
        tables = {t.name: t for t in provider.tables()}
        assert set(tables) == DATA_TABLES
        header = tables["sales_order_header"]
        assert header.description == "Customer sales orders; one row per order."
        columns = {c.name: c for c in header.columns}
        assert columns["status"].description.startswith("PENDING, PICKING")
        assert columns["order_date"].type == "date"
        assert list(columns)[-1] == "order_month"  # the partition key, after the data columns
        procurement = provider.descriptions(PERSONA_TABLES[Persona.PROCUREMENT_SPECIALIST])
        assert set(procurement) == set(PERSONA_TABLES[Persona.PROCUREMENT_SPECIALIST])


def test_edited_glue_descriptions_win_and_empty_ones_fall_back(sample_home: Path) -> None:
    with offline_aws(sample_home, load=("athena",)):
        session = boto3.session.Session(region_name=REGION)
        wr.catalog.create_parquet_table(
            database=GLUE_DATABASE,
            table="supplier",
            path="s3://wb-test-data/sample/supplier/",
            columns_types={"supplier_id": "string", "supplier_name": "string", "country": "string"},
            description="Vendors we buy from (edited by the data team)",
            columns_comments={"country": "ISO country name"},
            mode="overwrite",
            boto3_session=session,
        )
        supplier = GlueSchemaProvider(GLUE_DATABASE).table("supplier")
        assert supplier is not None
        assert supplier.description == "Vendors we buy from (edited by the data team)"
        columns = {c.name: c.description for c in supplier.columns}
        assert columns["country"] == "ISO country name"
        assert columns["supplier_name"] == "Unique supplier name"  # empty in Glue: the data model's


def test_reads_are_cached_for_the_ttl(sample_home: Path) -> None:
    with offline_aws(sample_home, load=("athena",)):
        clock = Clock()
        provider = GlueSchemaProvider(GLUE_DATABASE, cache_seconds=300, clock=clock)
        version = provider.version()
        assert provider.tables()
        session = boto3.session.Session(region_name=REGION)
        wr.catalog.delete_table_if_exists(
            database=GLUE_DATABASE, table="supplier", boto3_session=session
        )
        assert "supplier" in {t.name for t in provider.tables()}  # still cached
        assert provider.version() == version
        clock.now += 301
        assert "supplier" not in {t.name for t in provider.tables()}
        assert provider.version() != version


def test_version_follows_the_loader(sample_home: Path) -> None:
    with offline_aws(sample_home, load=("athena",)) as stack:
        provider = GlueSchemaProvider(GLUE_DATABASE, cache_seconds=0)
        before = provider.version()
        assert before == provider.version()
        stack.load("athena")
        assert provider.version() != before
