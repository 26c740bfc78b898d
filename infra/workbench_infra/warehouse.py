"""Redshift Serverless: namespace and workgroup (base capacity from ``cost.redshift_base_rpus``).

CloudFormation has no Redshift Serverless usage-limit resource; the monthly RPU-hour limit
(``cost.redshift_max_rpu_hours_per_month``) is set by ``scripts/deploy.py``'s ``usage-limit`` step.
"""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_redshiftserverless as rs
from constructs import Construct

from workbench_infra.settings import DeploySettings


class Warehouse(Construct):
    """The namespace (its admin password kept by Secrets Manager) and a private workgroup."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        copy_role: iam.IRole,
    ) -> None:
        super().__init__(scope, construct_id)
        self.namespace = rs.CfnNamespace(
            self,
            "Namespace",
            namespace_name=settings.namespace,
            db_name=settings.redshift_database,
            admin_username="wbadmin",
            manage_admin_password=True,
            iam_roles=[copy_role.role_arn],
            default_iam_role_arn=copy_role.role_arn,
            log_exports=["userlog", "connectionlog", "useractivitylog"],
        )
        self.workgroup = rs.CfnWorkgroup(
            self,
            "Workgroup",
            workgroup_name=settings.workgroup,
            namespace_name=settings.namespace,
            base_capacity=settings.redshift_base_rpus,
            publicly_accessible=False,
            enhanced_vpc_routing=False,
            config_parameters=[
                rs.CfnWorkgroup.ConfigParameterProperty(
                    parameter_key="require_ssl", parameter_value="true"
                ),
                rs.CfnWorkgroup.ConfigParameterProperty(
                    parameter_key="enable_user_activity_logging", parameter_value="true"
                ),
            ],
        )
        self.workgroup.node.add_dependency(self.namespace)

    @property
    def workgroup_arn(self) -> str:
        return self.workgroup.attr_workgroup_workgroup_arn
