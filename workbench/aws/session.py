"""The one place AWS clients are made.

Every AWS-touching function takes an optional ``boto3_session`` and builds clients here,
so region, endpoint override (moto_server, LocalStack), retries and timeouts come from
configuration everywhere. boto3 and awswrangler are imported lazily: the embedded default
never needs them.

On a SageMaker notebook instance (or Studio) nothing needs configuring: the default
credential chain picks up the execution role from the instance metadata or the container
credentials endpoint, and ``AWS_REGION`` / ``AWS_DEFAULT_REGION`` is set by SageMaker.
Setting ``aws.profile`` overrides that chain with a named profile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.core.errors import MissingDependencyError

if TYPE_CHECKING:
    from workbench.core.config import AwsSettings

#: Services whose awswrangler endpoint follows ``aws.endpoint_url`` (moto_server, LocalStack).
_WRANGLER_ENDPOINT_KEYS = ("s3", "athena", "glue", "sts")
#: Endpoint keys this module set on ``wr.config`` (so a later Workbench without an override resets them).
_wrangler_overrides: set[str] = set()


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
    try:
        return boto3.session.Session(**kwargs)
    except Exception as exc:  # botocore.exceptions.ProfileNotFound and friends
        from workbench.core.errors import ConfigError

        raise ConfigError(
            f"The AWS profile '{kwargs.get('profile_name')}' could not be used.",
            issues=[f"aws.profile: {exc}"],
            key="aws.profile",
        ) from None


def botocore_config(
    settings: AwsSettings | None = None,
    *,
    read_timeout: float | None = None,
    max_attempts: int | None = None,
) -> Any:
    """The botocore ``Config`` (retries, timeouts) every client of the workbench uses."""
    from botocore.config import Config

    attempts = (
        max_attempts if max_attempts is not None else (settings.max_attempts if settings else 5)
    )
    return Config(
        retries={
            "total_max_attempts": attempts,
            "mode": "adaptive" if attempts > 1 else "standard",
        },
        connect_timeout=settings.connect_timeout if settings else 5.0,
        read_timeout=read_timeout
        if read_timeout is not None
        else (settings.read_timeout if settings else 60.0),
    )


def client(
    service: str,
    settings: AwsSettings | None = None,
    *,
    boto3_session: Any = None,
    read_timeout: float | None = None,
    max_attempts: int | None = None,
) -> Any:
    """A boto3 client for ``service`` with the configured region, endpoint, retries and timeouts.

    ``max_attempts=1`` turns botocore's own retries off, for callers that retry themselves
    (Bedrock throttling) so every attempt is logged and counted.
    """
    _boto3()
    session = make_session(settings, boto3_session)
    kwargs: dict[str, Any] = {
        "config": botocore_config(settings, read_timeout=read_timeout, max_attempts=max_attempts)
    }
    if settings is not None and settings.endpoint_url:
        kwargs["endpoint_url"] = settings.endpoint_url
    if settings is not None and settings.region:
        kwargs["region_name"] = settings.region
    return session.client(service, **kwargs)


def has_credentials(settings: AwsSettings | None = None, boto3_session: Any = None) -> bool:
    """Whether the credential chain (env, profile, SSO, container or instance role) yields credentials.

    Used by the ``aws`` test marker and by ``workbench config check``; never raises.
    """
    try:
        session = make_session(settings, boto3_session)
        credentials = session.get_credentials()
        return credentials is not None and bool(credentials.get_frozen_credentials().access_key)
    except Exception:
        return False


def awswrangler(settings: AwsSettings | None = None) -> Any:
    """Import awswrangler and point it at the configured endpoint and botocore config.

    awswrangler makes its own clients from the session we pass, so its endpoint overrides
    and botocore config live in ``wr.config``; setting them here keeps "clients are made in
    one place" true for it too.
    """
    try:
        import awswrangler as wr
    except ModuleNotFoundError:
        raise MissingDependencyError(
            "awswrangler", extra="aws", feature="Athena, Glue and S3 loading"
        ) from None
    endpoint = settings.endpoint_url if settings is not None else None
    for service in _WRANGLER_ENDPOINT_KEYS:
        key = f"{service}_endpoint_url"
        if endpoint:
            setattr(wr.config, key, endpoint)
            _wrangler_overrides.add(key)
        elif key in _wrangler_overrides:
            wr.config.reset(key)
            _wrangler_overrides.discard(key)
    wr.config.botocore_config = botocore_config(settings)
    return wr
