"""The SageMaker notebook instance, its lifecycle configuration and its source bundle.

The source (package, notebooks, lock files, lifecycle helpers) goes up as an S3 asset; the
lifecycle scripts fetch it into ``~/SageMaker/workbench``, build the environment in
``~/SageMaker/envs/workbench`` and register it as the kernel the notebooks declare
(``python3``), so analysts' notebooks and the Voila dashboards run with the workbench.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aws_cdk import Aws, Fn, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3_assets as s3_assets
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from workbench_infra import lifecycle, nag
from workbench_infra.settings import DeploySettings

#: What the source bundle holds (relative to the repository root); everything else is left out.
SOURCE_BUNDLE = (
    "pyproject.toml",
    "README.md",
    "config.example.yaml",
    "environment.yml",
    "workbench",
    "notebooks",
    "requirements",
    "lifecycle",
    "docs",
)
_SOURCE_EXCLUDE = [
    "*",
    *[f"!{name}" for name in SOURCE_BUNDLE],
    "**/__pycache__",
    "**/*.pyc",
    "**/.ipynb_checkpoints",
]
#: The dashboards' entry notebook, relative to ~/SageMaker (Voila serves /voila/render/<path>).
DASHBOARD_PATH = "workbench/notebooks/app.ipynb"


class NotebookInstance(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        repo_root: Path,
        role: iam.Role,
        lifecycle_settings: Mapping[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        from aws_cdk import IgnoreMode

        self.source = s3_assets.Asset(
            self,
            "Source",
            path=str(repo_root),
            exclude=_SOURCE_EXCLUDE,
            ignore_mode=IgnoreMode.DOCKER,
            display_name="workbench source bundle",
        )
        # The one object, not the bootstrap bucket (asset.grant_read would allow s3:GetObject*/List*).
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadSourceBundle",
                actions=["s3:GetObject"],
                resources=[self.source.bucket.arn_for_objects(self.source.s3_object_key)],
            )
        )
        values = {
            "WB_SOURCE_URI": self.source.s3_object_url,
            "WB_SOURCE_HASH": self.source.asset_hash,
            **lifecycle_settings,
        }
        self.scripts = {
            name: lifecycle.render(lifecycle.read_script(repo_root, f"{name}.sh"), values)
            for name in ("on-create", "on-start")
        }
        self.lifecycle_config = sagemaker.CfnNotebookInstanceLifecycleConfig(
            self,
            "Lifecycle",
            notebook_instance_lifecycle_config_name=f"{settings.prefix}-lifecycle",
            on_create=[
                sagemaker.CfnNotebookInstanceLifecycleConfig.NotebookInstanceLifecycleHookProperty(
                    content=Fn.base64(self.scripts["on-create"])
                )
            ],
            on_start=[
                sagemaker.CfnNotebookInstanceLifecycleConfig.NotebookInstanceLifecycleHookProperty(
                    content=Fn.base64(self.scripts["on-start"])
                )
            ],
        )
        self.instance = sagemaker.CfnNotebookInstance(
            self,
            "Instance",
            notebook_instance_name=settings.notebook_name,
            instance_type=settings.notebook_instance_type,
            role_arn=role.role_arn,
            lifecycle_config_name=self.lifecycle_config.attr_notebook_instance_lifecycle_config_name,
            platform_identifier="notebook-al2-v3",
            volume_size_in_gb=settings.notebook_volume_gb,
            direct_internet_access="Enabled",
            root_access="Enabled",
            instance_metadata_service_configuration=sagemaker.CfnNotebookInstance.InstanceMetadataServiceConfigurationProperty(
                minimum_instance_metadata_service_version="2"
            ),
        )
        nag.acknowledge(
            self.instance,
            "AwsSolutions-SM1",
            "No VPC: the instance reaches PyPI, S3, the Redshift Data API and Bedrock over "
            "their public endpoints; a VPC with a NAT gateway would add ~$33/month to an idle "
            "deployment for no data that leaves AWS.",
        )
        nag.acknowledge(
            self.instance,
            "AwsSolutions-SM2",
            "The ML storage volume is encrypted at rest with SageMaker's AWS managed key; a "
            "customer managed key adds cost and a key policy to maintain without changing who can read it.",
        )
        nag.acknowledge(
            self.instance,
            "AwsSolutions-SM3",
            "Direct internet access is how the lifecycle installs the locked packages from "
            "PyPI without a NAT gateway; the role, not the network, limits what the instance reaches.",
        )
        region = Stack.of(self).region or Aws.REGION
        self.notebook_url = f"https://{settings.notebook_name}.notebook.{region}.sagemaker.aws/tree"
        self.dashboard_url = f"https://{settings.notebook_name}.notebook.{region}.sagemaker.aws/voila/render/{DASHBOARD_PATH}"
