"""The workbench's AWS deployment as a CDK v2 app: one stack, its settings in one place.

- :mod:`workbench_infra.settings`: every deployment setting, documented, with its default and
  where it comes from (the workbench configuration where the package also reads it);
- :mod:`workbench_infra.stack`: :class:`WorkbenchStack`, built from the constructs below;
- :mod:`workbench_infra.storage` (bucket, Glue database, Athena workgroup),
  :mod:`workbench_infra.warehouse` (Redshift Serverless), :mod:`workbench_infra.functions`
  (the three tool functions, one container image), :mod:`workbench_infra.notebook` (the
  SageMaker notebook instance and its lifecycle configuration), :mod:`workbench_infra.access`
  (the IAM policy statements of each path).
"""

from __future__ import annotations

from typing import Any

__all__ = ["DeploySettings", "WorkbenchStack", "build_app"]


def __getattr__(name: str) -> Any:
    """Lazy: ``workbench_infra.lifecycle`` and ``.settings`` import without aws-cdk-lib."""
    if name == "DeploySettings":
        from workbench_infra.settings import DeploySettings

        return DeploySettings
    if name in {"WorkbenchStack", "build_app"}:
        from workbench_infra import stack

        return getattr(stack, name)
    raise AttributeError(name)
