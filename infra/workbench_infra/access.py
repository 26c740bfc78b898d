"""IAM policy statements per path, least privilege, each one scoped to this stack's resources.

Where AWS offers no resource type the statement says why it uses ``*`` and narrows it with
a condition instead: the Redshift Data API's ``DescribeStatement``, ``GetStatementResult``,
``CancelStatement`` and ``ListStatements`` act on statement ids, so they take
``Resource: "*"`` with ``redshift-data:statement-owner-iam-userid`` equal to the caller
(``${aws:userid}``): a role sees only the statements it ran.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import ArnFormat, Aws, Stack
from aws_cdk import aws_iam as iam

from workbench_infra.settings import DeploySettings

DATA_API_STATEMENT_ACTIONS = [
    "redshift-data:DescribeStatement",
    "redshift-data:GetStatementResult",
    "redshift-data:CancelStatement",
    "redshift-data:ListStatements",
]


def redshift_data_api(workgroup_arn: str) -> list[iam.PolicyStatement]:
    """Run statements on the workgroup as the caller's IAM identity (database user ``IAMR:<role>``)."""
    return [
        iam.PolicyStatement(
            sid="RunStatementsOnTheWorkgroup",
            actions=["redshift-data:ExecuteStatement", "redshift-data:BatchExecuteStatement"],
            resources=[workgroup_arn],
        ),
        iam.PolicyStatement(
            sid="TemporaryDatabaseCredentials",
            actions=["redshift-serverless:GetCredentials"],
            resources=[workgroup_arn],
        ),
        iam.PolicyStatement(
            sid="OwnStatementsOnly",
            actions=DATA_API_STATEMENT_ACTIONS,
            resources=["*"],
            conditions={
                "StringEquals": {"redshift-data:statement-owner-iam-userid": "${aws:userid}"}
            },
        ),
    ]


def athena_queries(settings: DeploySettings, bucket_arn: str) -> list[iam.PolicyStatement]:
    """Query the Glue database through the stack's Athena workgroup; results under athena-results/."""

    def arn(service: str) -> str:
        return f"arn:{Aws.PARTITION}:{service}:{settings.region}:{settings.account}"

    glue = arn("glue")
    return [
        iam.PolicyStatement(
            sid="AthenaWorkgroup",
            actions=[
                "athena:StartQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:StopQueryExecution",
                "athena:GetWorkGroup",
            ],
            resources=[f"{arn('athena')}:workgroup/{settings.athena_workgroup}"],
        ),
        iam.PolicyStatement(
            sid="GlueCatalogRead",
            actions=["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartitions"],
            resources=[
                f"{glue}:catalog",
                f"{glue}:database/{settings.glue_database}",
                f"{glue}:table/{settings.glue_database}/*",
            ],
        ),
        iam.PolicyStatement(
            sid="ReadTablesWriteResults",
            actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
            resources=[f"{bucket_arn}/athena-results/*"],
        ),
        iam.PolicyStatement(
            sid="ReadTableData",
            actions=["s3:GetObject"],
            resources=[f"{bucket_arn}/data/*"],
        ),
        iam.PolicyStatement(
            sid="ListTheBucket",
            actions=["s3:ListBucket", "s3:GetBucketLocation"],
            resources=[bucket_arn],
        ),
    ]


def bedrock_models(settings: DeploySettings) -> iam.PolicyStatement:
    """Converse with the configured model, directly or through its inference profile.

    A cross-region inference profile routes a request to any region of its geography, so
    the foundation-model ARN has a ``*`` region; the profile ARN is this account's and region's.
    """
    resources = [
        f"arn:{Aws.PARTITION}:bedrock:*::foundation-model/{settings.bedrock_base_model_id}"
    ]
    if settings.bedrock_inference_profile:
        resources.append(
            f"arn:{Aws.PARTITION}:bedrock:{settings.region}:{settings.account}:"
            f"inference-profile/{settings.bedrock_inference_profile}"
        )
    return iam.PolicyStatement(
        sid="BedrockConverse",
        actions=["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
        resources=resources,
    )


def invoke_functions(function_arns: Sequence[str]) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        sid="InvokeToolFunctions", actions=["lambda:InvokeFunction"], resources=list(function_arns)
    )


def own_log_group(stack: Stack, group: str, *, sid: str = "WriteOwnLogs") -> iam.PolicyStatement:
    return iam.PolicyStatement(
        sid=sid,
        actions=["logs:CreateLogStream", "logs:PutLogEvents"],
        resources=[
            stack.format_arn(
                service="logs",
                resource="log-group",
                resource_name=f"{group}:*",
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )
        ],
    )
