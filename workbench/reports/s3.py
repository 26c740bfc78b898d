"""Copy report outputs to S3, through the one AWS client helper every backend uses."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.core.errors import ConfigError

if TYPE_CHECKING:
    from workbench.core.config import AwsSettings

__all__ = ["parse_s3_uri", "upload_outputs"]

_CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".ipynb": "application/x-ipynb+json"}


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> (``bucket``, ``some/prefix``); anything else is a config error."""
    if not uri.startswith("s3://") or not uri[5:].split("/", 1)[0]:
        raise ConfigError(
            f"'{uri}' is not an S3 destination.",
            issues=["use s3://bucket or s3://bucket/prefix"],
            key="reports.s3_destination",
        )
    bucket, _, prefix = uri[5:].partition("/")
    return bucket, prefix.strip("/")


def upload_outputs(
    paths: Sequence[Path],
    destination: str,
    *,
    aws: AwsSettings | None = None,
    boto3_session: Any = None,
    subdir: str = "",
) -> list[str]:
    """Upload each file to ``destination[/subdir]/<file name>``; return the ``s3://`` URIs."""
    from workbench.aws.errors import call
    from workbench.aws.session import client

    bucket, prefix = parse_s3_uri(destination)
    s3 = client("s3", aws, boto3_session=boto3_session)
    uris = []
    for path in paths:
        key = "/".join(p for p in (prefix, subdir.strip("/"), path.name) if p)
        # Reports are small (well under the 5 GB single-PUT limit); put_object keeps errors
        # in botocore's ClientError family, which the shared translation understands.
        call(
            "s3",
            "PutObject",
            s3.put_object,
            Bucket=bucket,
            Key=key,
            Body=path.read_bytes(),
            ContentType=_CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
        )
        uris.append(f"s3://{bucket}/{key}")
    return uris
