"""The three tool functions: one container image (``lambdas/Dockerfile``), three handlers.

The tools' dependencies (pandas, numpy, pyarrow, scipy, statsmodels, OR-Tools, duckdb,
awswrangler ...) unpack to several hundred MB, past the 250 MB limit of a zip function
with layers, so the functions are images (limit 10 GB). The image is built and pushed by
the CDK asset at deploy time; the synthesized template only names it. Each function sets
its own ``cmd`` (``<function dir>.handler.handler``) on the same image.

Timeout: the warehouse timeout plus a cold start, and below the invoker's read timeout
(:attr:`DeploySettings.function_timeout_seconds`), so the workbench gives up after the
function did, never while it still runs. Memory: ``invoker.lambda.memory_mb``, the figure
the cost ledger prices.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, IgnoreMode, RemovalPolicy, Stack
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from workbench_infra import access
from workbench_infra.settings import DeploySettings

#: Agent -> directory of its handler under lambdas/ (also the handler's module path).
HANDLER_DIRS = {
    "inventory": "inventory_optimizer",
    "logistics": "logistics_optimizer",
    "supplier": "supplier_analyzer",
}
#: What the image build context holds (the Dockerfile copies these); everything else is ignored.
IMAGE_CONTEXT = ("pyproject.toml", "README.md", "workbench", "lambdas")
_IMAGE_EXCLUDE = [
    "*",
    *[f"!{name}" for name in IMAGE_CONTEXT],
    "**/__pycache__",
    "**/*.pyc",
    "lambdas/dist",
]


class ToolFunctions(Construct):
    """One image asset and a function per agent, with a shared least-privilege role."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        repo_root: Path,
        role: iam.Role,
        environment: dict[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.image = ecr_assets.DockerImageAsset(
            self,
            "Image",
            directory=str(repo_root),
            file="lambdas/Dockerfile",
            platform=ecr_assets.Platform.LINUX_AMD64,
            exclude=_IMAGE_EXCLUDE,
            ignore_mode=IgnoreMode.DOCKER,
            display_name="workbench tool functions",
        )
        self.functions: dict[str, lambda_.DockerImageFunction] = {}
        stack = Stack.of(self)
        for agent, name in settings.functions.items():
            group = logs.LogGroup(
                self,
                f"{agent.title()}Logs",
                log_group_name=f"/aws/lambda/{name}",
                retention=_retention(settings.log_retention_days),
                removal_policy=RemovalPolicy.DESTROY,
            )
            role.add_to_policy(
                access.own_log_group(stack, f"/aws/lambda/{name}", sid=f"WriteLogs{agent.title()}")
            )
            fn = lambda_.DockerImageFunction(
                self,
                f"{agent.title()}Function",
                function_name=name,
                description=f"Workbench {agent} tools (handler {HANDLER_DIRS[agent]}.handler.handler)",
                code=lambda_.DockerImageCode.from_ecr(
                    repository=self.image.repository,
                    tag_or_digest=self.image.image_tag,
                    cmd=[f"{HANDLER_DIRS[agent]}.handler.handler"],
                ),
                architecture=lambda_.Architecture.X86_64,
                memory_size=settings.lambda_memory_mb,
                timeout=Duration.seconds(settings.function_timeout_seconds),
                role=role,
                log_group=group,
                environment=environment,
                retry_attempts=0,
            )
            self.functions[agent] = fn

    @property
    def arns(self) -> list[str]:
        return [fn.function_arn for fn in self.functions.values()]


_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


def _retention(days: int) -> logs.RetentionDays:
    if days not in _RETENTION:
        raise ValueError(
            f"log_retention_days: {days} is not one of {', '.join(map(str, _RETENTION))}"
        )
    return _RETENTION[days]
