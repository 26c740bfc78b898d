"""The synthesized stack: every resource and policy, cdk-nag and cfn-lint. One synth per module."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

from aws_cdk import assertions  # noqa: E402
from workbench_infra import lifecycle  # noqa: E402
from workbench_infra.settings import DeploySettings, DeploySettingsError  # noqa: E402
from workbench_infra.stack import WorkbenchStack, build_app  # noqa: E402

FUNCTIONS = [
    "workbench-inventory-optimizer",
    "workbench-logistics-optimizer",
    "workbench-supplier-analyzer",
]


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WorkbenchStack, Path]]:
    """``make synth``'s command (``python app.py`` in infra/), then the stack object for its attributes."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    infra = Path(__file__).resolve().parents[2] / "infra"
    done = subprocess.run(
        [sys.executable, "app.py"],
        cwd=infra,
        env={
            **os.environ,
            "CDK_OUTDIR": str(outdir),
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        },
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # runs the cdk-nag AwsSolutions pack: an unacknowledged finding fails here
    assert done.returncode == 0, done.stderr[-4000:]
    _app, stack = build_app(outdir=str(tmp_path_factory.mktemp("unsynthesized")), nag=False)
    yield stack, outdir


@pytest.fixture(scope="module")
def stack(synthesized: tuple[WorkbenchStack, Path]) -> WorkbenchStack:
    return synthesized[0]


@pytest.fixture(scope="module")
def template(synthesized: tuple[WorkbenchStack, Path]) -> assertions.Template:
    return assertions.Template.from_json(
        json.loads((synthesized[1] / "WorkbenchStack.template.json").read_text())
    )


@pytest.fixture(scope="module")
def raw(synthesized: tuple[WorkbenchStack, Path]) -> dict[str, Any]:
    return json.loads((synthesized[1] / "WorkbenchStack.template.json").read_text())


def _resources(raw: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in raw["Resources"].items() if r["Type"] == kind}


def _statements(raw: dict[str, Any], role_logical_id: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for policy in _resources(raw, "AWS::IAM::Policy").values():
        if {"Ref": role_logical_id} in policy["Properties"]["Roles"]:
            out += policy["Properties"]["PolicyDocument"]["Statement"]
    return out


def _role_id(raw: dict[str, Any], name_part: str) -> str:
    for key, role in _resources(raw, "AWS::IAM::Role").items():
        if name_part in json.dumps(role["Properties"].get("RoleName")):
            return key
    raise AssertionError(f"no role named *{name_part}*")


# -- resources ----------------------------------------------------------------------------------
def test_the_stack_holds_every_resource(template: assertions.Template) -> None:
    for kind, count in {
        "AWS::S3::Bucket": 2,  # data + its access logs
        "AWS::Glue::Database": 1,
        "AWS::Athena::WorkGroup": 1,
        "AWS::RedshiftServerless::Namespace": 1,
        "AWS::RedshiftServerless::Workgroup": 1,
        "AWS::Lambda::Function": 3,
        "AWS::SageMaker::NotebookInstance": 1,
        "AWS::SageMaker::NotebookInstanceLifecycleConfig": 1,
        "AWS::IAM::Role": 3,
    }.items():
        template.resource_count_is(kind, count)


def test_bucket_is_encrypted_private_and_tls_only(
    template: assertions.Template, raw: dict[str, Any]
) -> None:
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": "workbench-123456789012-us-east-1",
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "LoggingConfiguration": assertions.Match.object_like({"LogFilePrefix": "data-bucket/"}),
        },
    )
    policies = _resources(raw, "AWS::S3::BucketPolicy")
    assert len(policies) == 2
    for policy in policies.values():
        denies = [
            s
            for s in policy["Properties"]["PolicyDocument"]["Statement"]
            if s["Effect"] == "Deny"
            and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        ]
        assert denies, policy


def test_glue_database_and_athena_workgroup(template: assertions.Template) -> None:
    template.has_resource_properties(
        "AWS::Glue::Database",
        {
            "CatalogId": "123456789012",
            "DatabaseInput": assertions.Match.object_like({"Name": "workbench"}),
        },
    )
    template.has_resource_properties(
        "AWS::Athena::WorkGroup",
        {
            "Name": "workbench-athena",
            "WorkGroupConfiguration": assertions.Match.object_like(
                {
                    "EnforceWorkGroupConfiguration": True,
                    "ResultConfiguration": {
                        "OutputLocation": "s3://workbench-123456789012-us-east-1/athena-results/",
                        "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"},
                    },
                }
            ),
        },
    )


def test_redshift_base_capacity_is_the_ledgers(
    template: assertions.Template, stack: WorkbenchStack
) -> None:
    from workbench.core.config import load_settings

    assert stack.settings.redshift_base_rpus == load_settings({}).cost.redshift_base_rpus == 8
    template.has_resource_properties(
        "AWS::RedshiftServerless::Workgroup",
        {
            "WorkgroupName": "workbench-wg",
            "NamespaceName": "workbench-ns",
            "BaseCapacity": 8,
            "PubliclyAccessible": False,
        },
    )
    template.has_resource_properties(
        "AWS::RedshiftServerless::Namespace",
        {
            "NamespaceName": "workbench-ns",
            "DbName": "dev",
            "ManageAdminPassword": True,
            "IamRoles": [assertions.Match.any_value()],
        },
    )


@pytest.mark.parametrize("rpus", [0, 4, 12, 520])
def test_base_capacity_off_the_8_rpu_grid_is_refused(rpus: int) -> None:
    from workbench.core.config import load_settings

    with pytest.raises(DeploySettingsError, match="steps of 8"):
        DeploySettings.from_workbench(load_settings({"cost": {"redshift_base_rpus": rpus}}))


def test_function_timeout_sits_between_the_warehouse_and_the_invoker() -> None:
    from workbench.core.config import load_settings

    with pytest.raises(DeploySettingsError, match=r"invoker\.lambda\.timeout_seconds"):
        DeploySettings.from_workbench(
            load_settings(
                {
                    "warehouse": {"timeout_seconds": 50},
                    "invoker": {"lambda": {"timeout_seconds": 60}},
                }
            )
        )


def test_three_image_functions_one_image_three_handlers(
    raw: dict[str, Any], stack: WorkbenchStack
) -> None:
    functions = _resources(raw, "AWS::Lambda::Function")
    by_name = {f["Properties"]["FunctionName"]: f["Properties"] for f in functions.values()}
    assert sorted(by_name) == FUNCTIONS
    images = {json.dumps(p["Code"]["ImageUri"]) for p in by_name.values()}
    assert len(images) == 1  # one image asset
    commands = {name: p["ImageConfig"]["Command"] for name, p in by_name.items()}
    assert commands == {
        "workbench-inventory-optimizer": ["inventory_optimizer.handler.handler"],
        "workbench-logistics-optimizer": ["logistics_optimizer.handler.handler"],
        "workbench-supplier-analyzer": ["supplier_analyzer.handler.handler"],
    }
    for p in by_name.values():
        assert p["PackageType"] == "Image" and "Runtime" not in p and "Handler" not in p
        assert p["MemorySize"] == 1024  # invoker.lambda.memory_mb, what the ledger prices
        assert 30 < p["Timeout"] < 60  # above warehouse.timeout_seconds, below the invoker's
        env = p["Environment"]["Variables"]
        assert env["WORKBENCH_CONFIG"] == "/var/task/workbench-lambda.yaml"
        assert (
            env["WB_REDSHIFT_WORKGROUP"] == "workbench-wg"
            and env["WB_WAREHOUSE_BACKEND"] == "redshift"
        )
    for invoke in _resources(raw, "AWS::Lambda::EventInvokeConfig").values():
        assert invoke["Properties"]["MaximumRetryAttempts"] == 0


def test_lambda_config_file_reads_the_functions_environment(raw: dict[str, Any]) -> None:
    """The image's config.yaml + the function environment = the settings the tools run with."""
    from workbench.core.config import load_settings

    fn = next(iter(_resources(raw, "AWS::Lambda::Function").values()))
    env = {
        k: v for k, v in fn["Properties"]["Environment"]["Variables"].items() if isinstance(v, str)
    }
    env.setdefault("WB_BUCKET", "workbench-123456789012-us-east-1")
    root = Path(__file__).resolve().parents[2]
    text = (root / "lambdas" / "config.yaml").read_text()
    import os

    old = dict(os.environ)
    try:
        os.environ.update(env)
        settings = load_settings(root / "lambdas" / "config.yaml")
    finally:
        os.environ.clear()
        os.environ.update(old)
    assert "${" in text
    assert settings.warehouse.backend == "redshift"
    assert settings.warehouse.redshift.workgroup == "workbench-wg"
    assert settings.warehouse.timeout_seconds == 30
    assert settings.aws.region == "us-east-1"


def test_notebook_instance_and_lifecycle(
    template: assertions.Template, raw: dict[str, Any], stack: WorkbenchStack
) -> None:
    template.has_resource_properties(
        "AWS::SageMaker::NotebookInstance",
        {
            "NotebookInstanceName": "workbench-notebook",
            "InstanceType": "ml.t3.medium",
            "PlatformIdentifier": "notebook-al2-v3",
            "VolumeSizeInGB": 20,
            "LifecycleConfigName": {
                "Fn::GetAtt": [assertions.Match.any_value(), "NotebookInstanceLifecycleConfigName"]
            },
            "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
        },
    )
    config = next(iter(_resources(raw, "AWS::SageMaker::NotebookInstanceLifecycleConfig").values()))
    for hook, script in (("OnCreate", "on-create"), ("OnStart", "on-start")):
        content = config["Properties"][hook][0]["Content"]
        assert "Fn::Base64" in content
        body = json.dumps(content)
        assert "export WB_SOURCE_URI=" in body and "export WB_REGION='us-east-1'" in body
        # The script body reaches the instance unchanged after the settings block.
        original = (Path(__file__).resolve().parents[2] / "lifecycle" / f"{script}.sh").read_text()
        assert json.dumps(original.partition("\n")[2])[1:-1][:200] in body
    assert "export WB_IDLE_STOP_MINUTES='60'" in json.dumps(config)


def test_lifecycle_scripts_fit_sagemakers_limit(stack: WorkbenchStack) -> None:
    """16,384 base64 characters per script; tokens replaced by values longer than real ones."""
    for name, text in stack.notebook.scripts.items():
        import re

        concrete = re.sub(r"\$\{Token\[[^]]+\]\}", "x" * 120, text)
        assert lifecycle.encoded_length(concrete) < lifecycle.MAX_BASE64_CHARS, name
        assert base64.b64decode(base64.b64encode(concrete.encode())).decode() == concrete


# -- IAM ------------------------------------------------------------------------------------------
def test_no_managed_policies_and_no_admin_wildcards(raw: dict[str, Any]) -> None:
    for role in _resources(raw, "AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"]
    for policy in _resources(raw, "AWS::IAM::Policy").values():
        for s in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
            assert all("*" not in a for a in actions), s
            if s["Resource"] == "*":
                # Only the Data API's statement-id actions, limited to the caller's own statements.
                assert s["Condition"] == {
                    "StringEquals": {"redshift-data:statement-owner-iam-userid": "${aws:userid}"}
                }, s
                assert set(actions) == {
                    "redshift-data:DescribeStatement",
                    "redshift-data:GetStatementResult",
                    "redshift-data:CancelStatement",
                    "redshift-data:ListStatements",
                }


def test_function_role_reads_the_warehouse_only(raw: dict[str, Any]) -> None:
    statements = _statements(raw, _role_id(raw, "workbench-tools"))
    actions = {
        a
        for s in statements
        for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert "redshift-data:ExecuteStatement" in actions and "athena:StartQueryExecution" in actions
    assert not {
        a for a in actions if a.startswith(("bedrock:", "lambda:", "glue:Create", "sagemaker:"))
    }
    writes = [s for s in statements if "s3:PutObject" in json.dumps(s["Action"])]
    assert all("athena-results/*" in json.dumps(s["Resource"]) for s in writes)
    execute = next(s for s in statements if s.get("Sid") == "RunStatementsOnTheWorkgroup")
    assert execute["Resource"]["Fn::GetAtt"][1] == "Workgroup.WorkgroupArn"


def test_notebook_role_invokes_the_three_functions_and_the_model(raw: dict[str, Any]) -> None:
    statements = {s.get("Sid"): s for s in _statements(raw, _role_id(raw, "workbench-notebook"))}
    invoke = statements["InvokeToolFunctions"]
    assert invoke["Action"] == "lambda:InvokeFunction" and len(invoke["Resource"]) == 3
    bedrock = statements["BedrockConverse"]
    assert "foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0" in json.dumps(
        bedrock["Resource"]
    )
    stop = statements["StopItselfWhenIdle"]
    assert "notebook-instance/workbench-notebook" in json.dumps(stop["Resource"])
    assert "ReadSourceBundle" in statements and "LoadSampleData" in statements


def test_inference_profile_ids_allow_the_profile_and_the_model() -> None:
    from aws_cdk import Stack
    from workbench_infra import access

    settings = DeploySettings(bedrock_model_id="us.anthropic.claude-3-7-sonnet-20250219-v1:0")
    assert settings.bedrock_base_model_id == "anthropic.claude-3-7-sonnet-20250219-v1:0"
    statement = Stack().resolve(access.bedrock_models(settings).to_statement_json())
    text = json.dumps(statement)
    assert "foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0" in text
    assert (
        "us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0"
        in text
    )


def test_copy_role_is_for_redshift_and_reads_staging_only(raw: dict[str, Any]) -> None:
    role = raw["Resources"][_role_id(raw, "redshift-copy")]
    principals = {
        st["Principal"]["Service"]
        for st in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    }
    assert principals == {"redshift.amazonaws.com", "redshift-serverless.amazonaws.com"}
    statements = _statements(raw, _role_id(raw, "redshift-copy"))
    assert {s["Action"] for s in statements} == {"s3:GetObject", "s3:ListBucket"}


def test_outputs(template: assertions.Template, raw: dict[str, Any]) -> None:
    outputs = raw["Outputs"]
    for key in (
        "NotebookUrl",
        "DashboardUrl",
        "RedshiftWorkgroup",
        "Bucket",
        "InventoryFunction",
        "LogisticsFunction",
        "SupplierFunction",
    ):
        assert key in outputs, key
    assert outputs["DashboardUrl"]["Value"] == (
        "https://workbench-notebook.notebook.us-east-1.sagemaker.aws/voila/render/workbench/notebooks/app.ipynb"
    )
    assert outputs["RedshiftWorkgroup"]["Value"] == "workbench-wg"


# -- checks ---------------------------------------------------------------------------------------
def test_cfn_lint_reports_no_error(synthesized: tuple[WorkbenchStack, Path]) -> None:
    template = synthesized[1] / "WorkbenchStack.template.json"
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("cfn-lint")),
            "--non-zero-exit-code",
            "error",
            str(template),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_acknowledged_finding_has_a_reason(synthesized: tuple[WorkbenchStack, Path]) -> None:
    stack, _out = synthesized
    acks: dict[str, str] = {}
    for node in stack.node.find_all():
        for entry in node.node.metadata:
            if "acknowledg" in entry.type.lower() and isinstance(entry.data, dict):
                acks.update({k: v for k, v in entry.data.items() if "AwsSolutions-" in k})
    assert len(acks) >= 10, acks
    assert {"AwsSolutions::AwsSolutions-SM1", "AwsSolutions::AwsSolutions-SM3"} <= set(acks) or any(
        "AwsSolutions-SM1" in k for k in acks
    )
    for rule, reason in acks.items():
        assert len(reason) >= 40, (rule, reason)


def test_cdk_nag_fails_an_unacknowledged_finding(tmp_path: Path) -> None:
    """The pack is really on: a wildcard policy without a reason fails synthesis."""
    import aws_cdk as cdk
    from aws_cdk import Validations
    from aws_cdk import aws_iam as iam
    from cdk_nag import AwsSolutionsChecks

    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Bad", env=cdk.Environment(account="123456789012", region="us-east-1"))
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"]))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(Exception, match=r"Validation failed|ValidationFailed"):
        app.synth()
