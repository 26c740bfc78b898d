"""``WorkbenchStack``: storage, warehouse, tool functions, notebook instance, IAM per path."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import CfnOutput, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct

from workbench_infra import access, nag
from workbench_infra.functions import ToolFunctions
from workbench_infra.notebook import NotebookInstance
from workbench_infra.settings import DeploySettings
from workbench_infra.storage import Storage
from workbench_infra.warehouse import Warehouse

REPO_ROOT = Path(__file__).resolve().parents[2]


class WorkbenchStack(Stack):
    """Everything one workbench deployment needs, named from ``settings.prefix``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        repo_root: Path = REPO_ROOT,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=cdk.Environment(account=settings.account, region=settings.region),
            description="Supply-chain analytics workbench: notebook instance, dashboards, tools, warehouse",
            **kwargs,
        )
        self.settings = settings
        self.storage = Storage(self, "Storage", settings=settings)
        bucket_arn = self.storage.bucket.bucket_arn

        # -- roles: one per path ------------------------------------------------------------
        self.copy_role = iam.Role(
            self,
            "CopyRole",
            role_name=settings.role_name("redshift-copy"),
            description="Assumed by Redshift Serverless to COPY the Parquet staging files from S3.",
            assumed_by=iam.CompositePrincipal(
                iam.ServicePrincipal("redshift.amazonaws.com"),
                iam.ServicePrincipal("redshift-serverless.amazonaws.com"),
            ),
        )
        self.copy_role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadStagedParquet",
                actions=["s3:GetObject"],
                resources=[f"{bucket_arn}/data/*"],
            )
        )
        self.copy_role.add_to_policy(
            iam.PolicyStatement(
                sid="ListStaging", actions=["s3:ListBucket"], resources=[bucket_arn]
            )
        )
        self.warehouse = Warehouse(self, "Warehouse", settings=settings, copy_role=self.copy_role)

        self.lambda_role = iam.Role(
            self,
            "FunctionRole",
            role_name=settings.role_name("tools"),
            description="The tool functions: read the warehouse (Data API or Athena), write their own logs.",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        )
        self._add(self.lambda_role, self._warehouse_read(bucket_arn))

        config_values = self.workbench_environment()
        self.functions = ToolFunctions(
            self,
            "Tools",
            settings=settings,
            repo_root=repo_root,
            role=self.lambda_role,
            environment={
                "WORKBENCH_HOME": "/tmp/workbench",
                "WORKBENCH_CONFIG": "/var/task/workbench-lambda.yaml",
                **config_values,
            },
        )

        self.notebook_role = iam.Role(
            self,
            "NotebookRole",
            role_name=settings.role_name("notebook"),
            description="The notebook instance: query, load sample data, invoke the tools, call Bedrock, stop itself when idle.",
            assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
        )
        self._add(self.notebook_role, self._warehouse_read(bucket_arn))
        self._add(
            self.notebook_role,
            [
                iam.PolicyStatement(
                    sid="LoadSampleData",
                    actions=["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                    resources=[f"{bucket_arn}/data/*"],
                ),
                iam.PolicyStatement(
                    sid="WriteReports",
                    actions=["s3:PutObject"],
                    resources=[f"{bucket_arn}/reports/*"],
                ),
                iam.PolicyStatement(
                    sid="RegisterGlueTables",
                    actions=[
                        "glue:CreateTable",
                        "glue:UpdateTable",
                        "glue:DeleteTable",
                        "glue:BatchCreatePartition",
                        "glue:BatchDeletePartition",
                        "glue:CreatePartition",
                    ],
                    resources=[
                        self.format_arn(service="glue", resource="catalog"),
                        self.format_arn(
                            service="glue",
                            resource="database",
                            resource_name=settings.glue_database,
                        ),
                        self.format_arn(
                            service="glue",
                            resource="table",
                            resource_name=f"{settings.glue_database}/*",
                        ),
                    ],
                ),
                access.invoke_functions(self.functions.arns),
                access.bedrock_models(settings),
                iam.PolicyStatement(
                    sid="StopItselfWhenIdle",
                    actions=[
                        "sagemaker:StopNotebookInstance",
                        "sagemaker:DescribeNotebookInstance",
                    ],
                    resources=[
                        self.format_arn(
                            service="sagemaker",
                            resource="notebook-instance",
                            resource_name=settings.notebook_name,
                        )
                    ],
                ),
                iam.PolicyStatement(
                    sid="LifecycleAndJupyterLogs",
                    actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[
                        self.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="/aws/sagemaker/NotebookInstances:*",
                            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                        )
                    ],
                ),
            ],
        )
        self.notebook = NotebookInstance(
            self,
            "Notebook",
            settings=settings,
            repo_root=repo_root,
            role=self.notebook_role,
            lifecycle_settings={
                **config_values,
                "WB_COPY_ROLE_ARN": self.copy_role.role_arn,
                "WB_IDLE_STOP_MINUTES": str(settings.notebook_idle_stop_minutes),
                "WB_PLANNER_MODE": settings.planner_mode,
                "WB_INVOKER_TIMEOUT": f"{settings.invoker_timeout_seconds:g}",
                "WB_LAMBDA_MEMORY_MB": str(settings.lambda_memory_mb),
            },
        )
        self._acknowledge()
        self._outputs()

    # -- pieces ------------------------------------------------------------------------------
    def workbench_environment(self) -> dict[str, str]:
        """The names the workbench configuration refers to (``${WB_...}`` in the config files)."""
        s = self.settings
        return {
            "WB_REGION": s.region,
            "WB_WAREHOUSE_BACKEND": s.warehouse_backend,
            "WB_REDSHIFT_WORKGROUP": s.workgroup,
            "WB_REDSHIFT_DATABASE": s.redshift_database,
            "WB_GLUE_DATABASE": s.glue_database,
            "WB_ATHENA_WORKGROUP": s.athena_workgroup,
            "WB_BUCKET": self.storage.bucket.bucket_name,
            "WB_INVENTORY_FUNCTION": s.inventory_function,
            "WB_LOGISTICS_FUNCTION": s.logistics_function,
            "WB_SUPPLIER_FUNCTION": s.supplier_function,
            "WB_WAREHOUSE_TIMEOUT": f"{s.warehouse_timeout_seconds:g}",
            "WB_BEDROCK_MODEL_ID": s.bedrock_model_id,
        }

    def _warehouse_read(self, bucket_arn: str) -> list[iam.PolicyStatement]:
        return [
            *access.redshift_data_api(self.warehouse.workgroup_arn),
            *access.athena_queries(self.settings, bucket_arn),
        ]

    @staticmethod
    def _add(role: iam.Role, statements: list[iam.PolicyStatement]) -> None:
        for statement in statements:
            role.add_to_policy(statement)

    def _acknowledge(self) -> None:
        """Every cdk-nag finding this stack accepts, each with its reason (IAM5: per finding)."""
        reasons: dict[str, str] = {
            "Resource::*": "Redshift Data API DescribeStatement/GetStatementResult/CancelStatement/"
            "ListStatements have no resource type; the statement is limited by the condition "
            "redshift-data:statement-owner-iam-userid = ${aws:userid} (own statements only).",
            f"Resource::<{self._logical(self.storage.bucket)}.Arn>/data/*": "Objects under the data/ prefix are the "
            "workbench's Parquet tables: one per table and partition, named at load time.",
            f"Resource::<{self._logical(self.storage.bucket)}.Arn>/athena-results/*": "Athena writes one result "
            "object per query under athena-results/, named by the query id.",
            f"Resource::<{self._logical(self.storage.bucket)}.Arn>/reports/*": "Scheduled reports are written "
            "under reports/, one object per run.",
            f"Resource::arn:aws:glue:{self.settings.region}:{self.settings.account}:table/{self.settings.glue_database}/*": "The "
            "Glue tables of the workbench database only; the loader creates one per data table.",
            f"Resource::arn:<AWS::Partition>:glue:{self.settings.region}:{self.settings.account}:table/{self.settings.glue_database}/*": "The "
            "Glue tables of the workbench database only; the loader creates one per data table.",
            f"Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/{self.settings.bedrock_base_model_id}": "One model; "
            "a cross-region inference profile may route the request to any region of its geography.",
            f"Resource::arn:<AWS::Partition>:logs:{self.settings.region}:{self.settings.account}:log-group:/aws/sagemaker/NotebookInstances:*": "SageMaker "
            "writes the lifecycle and Jupyter logs to streams it names per instance in this log group.",
        }
        for agent, name in self.settings.functions.items():
            reasons[
                f"Resource::arn:<AWS::Partition>:logs:{self.settings.region}:{self.settings.account}:log-group:/aws/lambda/{name}:*"
            ] = f"The log streams of the {agent} function's own log group (Lambda names one per container)."
        for finding, reason in reasons.items():
            nag.acknowledge(self, f"AwsSolutions-IAM5[{finding}]", reason)

    def _logical(self, construct: Construct) -> str:
        return self.get_logical_id(construct.node.default_child)  # type: ignore[arg-type]

    def _outputs(self) -> None:
        s = self.settings
        outputs = {
            "NotebookUrl": (
                self.notebook.notebook_url,
                "Jupyter on the notebook instance (sign in through the console)",
            ),
            "DashboardUrl": (self.notebook.dashboard_url, "The persona dashboards (Voila)"),
            "NotebookInstanceName": (s.notebook_name, "SageMaker notebook instance"),
            "RedshiftWorkgroup": (s.workgroup, "warehouse.redshift.workgroup"),
            "RedshiftDatabase": (s.redshift_database, "warehouse.redshift.database"),
            "GlueDatabase": (s.glue_database, "warehouse.athena.database"),
            "AthenaWorkgroup": (s.athena_workgroup, "warehouse.athena.workgroup"),
            "Bucket": (self.storage.bucket.bucket_name, "Data, Athena results and reports"),
            "CopyRoleArn": (self.copy_role.role_arn, "warehouse.redshift.iam_role_arn"),
            "NotebookRoleName": (self.notebook_role.role_name, "Data API user IAMR:<name>"),
            "FunctionRoleName": (self.lambda_role.role_name, "Data API user IAMR:<name>"),
        }
        for agent, fn in self.functions.functions.items():
            outputs[f"{agent.title()}Function"] = (
                fn.function_name,
                f"invoker.lambda.{agent}_function",
            )
        for key, (value, description) in outputs.items():
            CfnOutput(self, key, value=value, description=description)


def build_app(
    context: Mapping[str, Any] | None = None,
    *,
    outdir: str | None = None,
    nag: bool = True,
    repo_root: Path = REPO_ROOT,
) -> tuple[cdk.App, WorkbenchStack]:
    """The app with its one stack (cdk-nag's AwsSolutions pack registered unless ``nag=False``)."""
    app = (
        cdk.App(outdir=outdir, context=dict(context or {}))
        if outdir
        else cdk.App(context=dict(context or {}))
    )
    settings = DeploySettings.resolve(
        {key: app.node.try_get_context(key) for key in _context_keys()}
    )
    stack = WorkbenchStack(
        app,
        f"{settings.prefix.title().replace('-', '')}Stack",
        settings=settings,
        repo_root=repo_root,
    )
    if nag:
        from cdk_nag import AwsSolutionsChecks

        Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


def _context_keys() -> frozenset[str]:
    from workbench_infra.settings import CONTEXT_KEYS

    return CONTEXT_KEYS
