"""The one AWS client factory, the credentials check and AWS error translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
)

from workbench.aws import errors, session
from workbench.core.config import AwsSettings
from workbench.core.errors import (
    ConfigError,
    QueryError,
    ServiceError,
    ThrottledError,
    TransientError,
)


def test_client_uses_configured_region_endpoint_retries_and_timeouts(aws_env: None) -> None:
    settings = AwsSettings(
        region="eu-west-1",
        endpoint_url="http://127.0.0.1:5000",
        max_attempts=7,
        connect_timeout=2.5,
        read_timeout=33,
    )
    c = session.client("athena", settings)
    assert c.meta.region_name == "eu-west-1"
    assert c.meta.endpoint_url == "http://127.0.0.1:5000"
    assert c.meta.config.retries["total_max_attempts"] == 7
    assert c.meta.config.connect_timeout == 2.5 and c.meta.config.read_timeout == 33
    single = session.client("bedrock-runtime", settings, max_attempts=1, read_timeout=120)
    assert (
        single.meta.config.retries["total_max_attempts"] == 1
        and single.meta.config.read_timeout == 120
    )


def test_clients_reuse_the_callers_session(aws_env: None) -> None:
    import boto3

    mine = boto3.session.Session(region_name="ap-southeast-2")
    assert session.make_session(AwsSettings(region="eu-west-1"), mine) is mine
    assert session.client("s3", None, boto3_session=mine).meta.region_name == "ap-southeast-2"


def test_unknown_profile_is_a_config_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    with pytest.raises(ConfigError) as info:
        session.make_session(AwsSettings(profile="does-not-exist"))
    assert info.value.fields["key"] == "aws.profile"


def test_has_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance role lookup in tests
    assert session.has_credentials() is False
    assert session.has_credentials(AwsSettings(profile="missing")) is False
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    assert session.has_credentials() is True


def test_awswrangler_follows_the_endpoint_override(aws_env: None) -> None:
    wr = session.awswrangler(AwsSettings(endpoint_url="http://127.0.0.1:5999", max_attempts=3))
    try:
        assert wr.config.athena_endpoint_url == "http://127.0.0.1:5999"
        assert wr.config.s3_endpoint_url == "http://127.0.0.1:5999"
        assert wr.config.botocore_config.retries["total_max_attempts"] == 3
    finally:
        session.awswrangler(AwsSettings())
    assert wr.config.athena_endpoint_url is None and wr.config.glue_endpoint_url is None


def _client_error(code: str, message: str = "boom") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "Operation")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (_client_error("ThrottlingException"), ThrottledError),
        (_client_error("TooManyRequestsException"), ThrottledError),
        (_client_error("ServiceUnavailableException"), TransientError),
        (
            _client_error(
                "AccessDeniedException", "not authorized to perform: athena:StartQueryExecution"
            ),
            ServiceError,
        ),
        (_client_error("ResourceNotFoundException"), ConfigError),
        (_client_error("ValidationException"), QueryError),
        (_client_error("SomethingNew"), ServiceError),
        (
            EndpointConnectionError(endpoint_url="https://athena.us-east-1.amazonaws.com"),
            TransientError,
        ),
        (NoCredentialsError(), ConfigError),
        (ParamValidationError(report="Invalid length for parameter WorkgroupName"), ConfigError),
    ],
)
def test_translate(exc: Exception, expected: type) -> None:
    err = errors.translate(exc, service="athena", action="start_query_execution")
    assert type(err) is expected
    if isinstance(exc, ClientError) and expected is not ConfigError:
        assert exc.response["Error"]["Code"] in (err.detail or "")


def test_access_denied_points_at_the_iam_docs() -> None:
    err = errors.translate(
        _client_error("AccessDeniedException"), service="redshift-data", action="execute_statement"
    )
    assert "docs/aws.md" in (err.hint or "")
