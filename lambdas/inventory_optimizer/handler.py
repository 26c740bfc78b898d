"""AWS Lambda entry point of the inventory tools (handler: ``handler.handler``).

Event: ``{"tool": "<one of the inventory tools>", "arguments": {...}}``; answer:
``{"statusCode": 200 | 400 | 422 | 500 | 503, "body": {...}}``, never an exception.
Validation, the warehouse (built once per container from WORKBENCH_CONFIG /
WORKBENCH_HOME) and the tools themselves live in the ``workbench`` package; see
``workbench.invokers.lambda_runtime``. Deployed as a container image (``lambdas/Dockerfile``, one image for the three functions).
"""

from __future__ import annotations

from workbench.invokers.lambda_runtime import make_handler

handler = make_handler("inventory")
