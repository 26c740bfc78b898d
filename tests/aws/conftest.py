"""Fixtures for the AWS tests, and the ``aws`` marker: real-AWS tests skip without credentials.

Offline tests never see real credentials: ``aws_env`` replaces the environment's AWS
variables with moto's fake ones, so a mistake cannot reach a real account.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.aws.stack import FAKE_AWS_ENV


def _real_credentials() -> bool:
    from workbench.aws.session import has_credentials

    key = os.environ.get("AWS_ACCESS_KEY_ID", "")
    return key not in {"testing", "test", "foobar_key"} and has_credentials()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item for item in items if item.get_closest_marker("aws") is not None]
    if not marked or _real_credentials():
        return
    skip = pytest.mark.skip(reason="needs real AWS credentials (env, profile or instance role)")
    for item in marked:
        item.add_marker(skip)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto's fake credentials and region; no profile or config file from the machine."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    yield


@pytest.fixture
def moto_aws(aws_env: None) -> Iterator[None]:
    """An in-process moto for every AWS service, for one test."""
    from moto import mock_aws

    with mock_aws():
        yield
