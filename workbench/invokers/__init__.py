"""Where tools run: the ``Invoker`` port, the in-process default and the AWS Lambda adapter.

boto3/botocore are imported only when a ``LambdaInvoker`` is actually built.
"""

from __future__ import annotations

from workbench.invokers.aws_lambda import LambdaInvoker
from workbench.invokers.base import (
    Invoker,
    RecordingWarehouse,
    available_invokers,
    create_invoker,
    function_name_for,
    register_invoker,
)
from workbench.invokers.local import LocalInvoker

__all__ = [
    "Invoker",
    "LambdaInvoker",
    "LocalInvoker",
    "RecordingWarehouse",
    "available_invokers",
    "create_invoker",
    "function_name_for",
    "register_invoker",
]
