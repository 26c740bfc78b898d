"""AWS integration: one module per service; boto3 and awswrangler are imported lazily."""

from __future__ import annotations

from workbench.aws.session import client, make_session

__all__ = ["client", "make_session"]
