"""AWS names in the configuration, checked before any call: every problem at once.

``workbench config check`` runs :func:`aws_name_issues`; a bad name is reported with its
key and the rule it breaks, instead of surfacing later as a ``ValidationException`` or a
``ResourceNotFoundException`` from the service.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.core.config import Settings

__all__ = ["aws_name_issues"]

_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "region": (
        re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$"),
        "an AWS region such as us-east-1",
    ),
    "workgroup": (re.compile(r"^[a-z0-9-]{3,64}$"), "3-64 lower-case letters, digits and '-'"),
    "redshift_db": (
        re.compile(r"^[a-z_][a-z0-9_$]{0,126}$"),
        "lower-case letters, digits, '_' or '$', starting with a letter or '_'",
    ),
    "glue_db": (re.compile(r"^[a-z0-9_]{1,255}$"), "lower-case letters, digits and '_'"),
    "athena_workgroup": (
        re.compile(r"^[A-Za-z0-9._-]{1,128}$"),
        "1-128 letters, digits, '.', '_' or '-'",
    ),
    "function": (
        re.compile(
            r"^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$"
        ),
        "a Lambda function name (1-64 letters, digits, '-' or '_') or its ARN",
    ),
    "role_arn": (
        re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$"),
        "arn:aws:iam::<12-digit account>:role/<name>",
    ),
    "secret_arn": (
        re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$"),
        "a Secrets Manager secret ARN",
    ),
    "model_id": (
        re.compile(
            r"^(arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d{0,12}:[a-z-]+/)?[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?$"
        ),
        "a Bedrock model id (anthropic.claude-...-v1:0), an inference-profile id (us.anthropic....) or an ARN",
    ),
}
_BUCKET = re.compile(r"^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def _s3_issue(key: str, uri: str) -> str | None:
    if not uri.startswith("s3://"):
        return f"{key}: '{uri}' must look like s3://bucket/prefix"
    bucket = uri[5:].partition("/")[0]
    if not _BUCKET.match(bucket) or re.match(r"^\d+\.\d+\.\d+\.\d+$", bucket):
        return f"{key}: '{bucket}' is not an S3 bucket name (3-63 lower-case letters, digits, '.' and '-')"
    return None


def aws_name_issues(settings: Settings) -> list[str]:
    """Every AWS name or URI set in ``settings`` that AWS would refuse (empty when all are valid)."""
    wh = settings.warehouse
    lam = settings.invoker.lambda_
    checks: list[tuple[str, str | None, str]] = [
        ("aws.region", settings.aws.region, "region"),
        ("warehouse.redshift.workgroup", wh.redshift.workgroup, "workgroup"),
        ("warehouse.redshift.database", wh.redshift.database, "redshift_db"),
        ("warehouse.redshift.iam_role_arn", wh.redshift.iam_role_arn, "role_arn"),
        ("warehouse.redshift.secret_arn", wh.redshift.secret_arn, "secret_arn"),
        ("warehouse.athena.database", wh.athena.database, "glue_db"),
        ("warehouse.athena.workgroup", wh.athena.workgroup, "athena_workgroup"),
        ("invoker.lambda.inventory_function", lam.inventory_function, "function"),
        ("invoker.lambda.logistics_function", lam.logistics_function, "function"),
        ("invoker.lambda.supplier_function", lam.supplier_function, "function"),
        ("planner.bedrock.model_id", settings.planner.bedrock.model_id, "model_id"),
    ]
    issues = []
    for key, value, rule in checks:
        if value is None:
            continue
        pattern, text = _RULES[rule]
        if not pattern.match(value):
            issues.append(f"{key}: '{value}' is not valid: {text}")
    for key, uri in (
        ("warehouse.redshift.s3_staging", wh.redshift.s3_staging),
        ("warehouse.athena.s3_output", wh.athena.s3_output),
        ("warehouse.athena.s3_data", wh.athena.s3_data),
        ("reports.s3_destination", settings.reports.s3_destination),
    ):
        if uri:
            issue = _s3_issue(key, uri)
            if issue:
                issues.append(issue)
    if settings.aws.endpoint_url and not re.match(r"^https?://[^\s/]+", settings.aws.endpoint_url):
        issues.append(f"aws.endpoint_url: '{settings.aws.endpoint_url}' is not an http(s) URL")
    return issues
