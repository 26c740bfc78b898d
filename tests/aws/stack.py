"""An offline AWS stack for tests: moto + the DuckDB-backed fakes, with the sample data loaded.

``offline_aws(home)`` starts ``moto.mock_aws``, patches moto's Redshift Data API and Athena
with :mod:`tests.aws.moto_duckdb`, creates the buckets, and loads the sample data with
the real loader (``workbench data load``) into S3/Glue and, through COPY, into Redshift.
So the warehouse adapters under test read what the loader wrote, as on AWS.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from workbench.core.config import Settings, load_settings

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
REGION = "us-east-1"
DATA_BUCKET = "wb-test-data"
RESULTS_BUCKET = "wb-test-athena-results"
WORKGROUP = "wb-test-serverless"
GLUE_DATABASE = "workbench_test"
COPY_ROLE = "arn:aws:iam::123456789012:role/wb-test-redshift-copy"


def aws_settings(home: Path, **overrides: Any) -> Settings:
    """Settings pointing every AWS backend at the offline stack (fast polling)."""
    raw: dict[str, Any] = {
        "aws": {"region": REGION, "max_attempts": 2},
        "warehouse": {
            "row_limit": 1000,
            "timeout_seconds": 20,
            "redshift": {
                "workgroup": WORKGROUP,
                "database": "dev",
                "iam_role_arn": COPY_ROLE,
                "poll_initial_seconds": 0.01,
                "poll_max_seconds": 0.05,
                "version_cache_seconds": 0,
            },
            "athena": {
                "database": GLUE_DATABASE,
                "workgroup": "primary",
                "s3_output": f"s3://{RESULTS_BUCKET}/results/",
                "s3_data": f"s3://{DATA_BUCKET}/sample",
                "poll_initial_seconds": 0.01,
                "poll_max_seconds": 0.05,
                "version_cache_seconds": 0,
            },
        },
    }
    for section, values in overrides.items():
        raw.setdefault(section, {}).update(values)
    return load_settings(raw, home=home)


@dataclass
class OfflineAws:
    settings: Settings
    redshift: Any  # FakeRedshiftData
    athena: Any  # FakeAthena
    loads: list[Any] = field(default_factory=list)

    def load(self, target: str) -> Any:
        from workbench.aws import loading

        if target == "athena":
            report = loading.load_athena(self.settings)
        else:
            report = loading.load_redshift(self.settings, sleep=lambda _s: time.sleep(0.005))
        self.loads.append(report)
        return report


@contextmanager
def offline_aws(
    home: Path,
    *,
    page_size: int = 100,
    load: tuple[str, ...] = ("athena", "redshift"),
    **overrides: Any,
) -> Iterator[OfflineAws]:
    """moto + DuckDB-backed Redshift Data API and Athena, with the sample data of ``home`` loaded."""
    import boto3
    from moto import mock_aws

    from tests.aws.moto_duckdb import FakeAthena, FakeRedshiftData

    cleared = {k: "" for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")}
    with mock.patch.dict(os.environ, {**FAKE_AWS_ENV, **cleared}), mock_aws():
        for name in cleared:
            os.environ.pop(name, None)
        with (
            FakeAthena(GLUE_DATABASE, region=REGION) as athena,
            FakeRedshiftData(page_size=page_size) as redshift,
        ):
            s3 = boto3.client("s3", region_name=REGION)
            s3.create_bucket(Bucket=DATA_BUCKET)
            s3.create_bucket(Bucket=RESULTS_BUCKET)
            stack = OfflineAws(aws_settings(home, **overrides), redshift, athena)
            if "redshift" in load:
                stack.load("redshift")  # also writes the Parquet and Glue tables Athena reads
            elif "athena" in load:
                stack.load("athena")
            yield stack
