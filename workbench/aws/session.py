"""The one place AWS clients are made.

Every AWS-touching function takes an optional ``boto3_session`` and builds clients here,
so region, endpoint override (moto_server, LocalStack), retries and timeouts come from
configuration everywhere. boto3 is imported lazily: the embedded default never needs it.
On a SageMaker notebook instance the default credential chain picks up the instance role.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.core.errors import MissingDependencyError

if TYPE_CHECKING:
    from workbench.core.config import AwsSettings


def _boto3() -> Any:
    try:
        import boto3
    except ModuleNotFoundError:
        raise MissingDependencyError("boto3", extra="aws", feature="AWS backends") from None
    return boto3


def make_session(settings: AwsSettings | None = None, boto3_session: Any = None) -> Any:
    """The boto3 session to use: the caller's, else one for the configured profile and region."""
    if boto3_session is not None:
        return boto3_session
    boto3 = _boto3()
    kwargs: dict[str, Any] = {}
    if settings is not None and settings.profile:
        kwargs["profile_name"] = settings.profile
    if settings is not None and settings.region:
        kwargs["region_name"] = settings.region
    return boto3.session.Session(**kwargs)


def client(service: str, settings: AwsSettings | None = None, *, boto3_session: Any = None, read_timeout: float | None = None) -> Any:
    """A boto3 client for ``service`` with the configured region, endpoint, retries and timeouts."""
    from botocore.config import Config

    session = make_session(settings, boto3_session)
    config = Config(
        retries={"max_attempts": settings.max_attempts if settings else 5, "mode": "adaptive"},
        connect_timeout=settings.connect_timeout if settings else 5.0,
        read_timeout=read_timeout if read_timeout is not None else (settings.read_timeout if settings else 60.0),
    )
    kwargs: dict[str, Any] = {"config": config}
    if settings is not None and settings.endpoint_url:
        kwargs["endpoint_url"] = settings.endpoint_url
    if settings is not None and settings.region:
        kwargs["region_name"] = settings.region
    return session.client(service, **kwargs)
