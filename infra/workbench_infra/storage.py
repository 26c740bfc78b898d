"""The data bucket (encrypted, TLS only, no public access), the Glue database, the Athena workgroup."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_s3 as s3
from constructs import Construct

from workbench_infra import nag
from workbench_infra.settings import DeploySettings


class Storage(Construct):
    """S3 layout: ``data/`` (Parquet tables, COPY staging), ``athena-results/``, ``reports/``."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: DeploySettings) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        nag.acknowledge(
            self.access_logs,
            "AwsSolutions-S1",
            "This is the access-log bucket of the data bucket; logging it to itself would loop.",
        )
        self.bucket = s3.Bucket(
            self,
            "Data",
            bucket_name=settings.bucket_name,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=False,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="data-bucket/",
            lifecycle_rules=[
                s3.LifecycleRule(prefix="athena-results/", expiration=Duration.days(7)),
                s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1)),
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=settings.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=settings.glue_database,
                description="Supply-chain workbench tables (Parquet under s3://<bucket>/data/).",
                location_uri=f"s3://{settings.bucket_name}/data/",
            ),
        )
        configuration: dict[str, object] = {
            "enforce_work_group_configuration": True,
            "publish_cloud_watch_metrics_enabled": True,
            "result_configuration": athena.CfnWorkGroup.ResultConfigurationProperty(
                output_location=f"s3://{settings.bucket_name}/athena-results/",
                encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                    encryption_option="SSE_S3"
                ),
            ),
        }
        if settings.athena_bytes_scanned_cutoff:
            configuration["bytes_scanned_cutoff_per_query"] = settings.athena_bytes_scanned_cutoff
        self.athena_workgroup = athena.CfnWorkGroup(
            self,
            "AthenaWorkgroup",
            name=settings.athena_workgroup,
            description="Workbench queries; results encrypted, per-query scan limit from cost settings.",
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                **configuration  # type: ignore[arg-type]
            ),
        )
