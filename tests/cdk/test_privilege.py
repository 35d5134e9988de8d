"""What each role, key, bucket and topic allows, written out: least privilege stays least."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk.assertions import Match

from sccos_pipeline.cdk import PropsError, ServiceTarget
from tests.cdk.support import PASS_ROLE_ONLY_TO_ECS_TASKS, SERVICE_KEYS, environment, new_stack

PROJECT = "spryker-demo-staging"
NORMAL_ROLE = "EnvironmentNormalPipelineRoleDC5A1F6D"
DESTRUCTIVE_ROLE = "EnvironmentDestructivePipelineRole06AE2E97"
ACTION_ROLE = "EnvironmentActionRole0000B947"
LOG_GROUPS = [
    f"/sccos/{PROJECT}/Run_pre-deploy_for_{PROJECT}",
    f"/sccos/{PROJECT}/Run_install_for_{PROJECT}",
    f"/sccos/{PROJECT}/Run_post-deploy_for_{PROJECT}",
    f"/sccos/{PROJECT}/Build_spryker_app_for_{PROJECT}",
    f"/sccos/{PROJECT}/Configure_RabbitMQ_for_{PROJECT}",
    f"/sccos/{PROJECT}/Update_pipeline_approval_info_for_{PROJECT}",
    f"/sccos/{PROJECT}/Update_latest_deployed_version_of_{PROJECT}",
    f"/sccos/{PROJECT}/Read_hook_variables_for_{PROJECT}",
    f"/sccos/{PROJECT}/Build_images_for_{PROJECT}",
    f"/sccos/{PROJECT}/Switch_maintenance_mode_for_{PROJECT}",
    f"/sccos/{PROJECT}/Prepare_scheduler_rollout_for_{PROJECT}",
    f"/sccos/{PROJECT}/Setup_scheduler_for_{PROJECT}",
    f"/sccos/{PROJECT}/Update_ECS_services_for_{PROJECT}",
]
PIPELINES = {  # kind: (name, the pipeline's own role)
    "normal": (f"NORMAL_Deploy_Spryker_{PROJECT}", NORMAL_ROLE),
    "destructive": (f"DESTRUCTIVE_Deploy_Spryker_{PROJECT}", DESTRUCTIVE_ROLE),
    "build": (f"Build_Spryker_{PROJECT}", "EnvironmentBuildPipelineRole4563FBBC"),
    "maintenance-enable": (
        f"Maintenance_Enable_{PROJECT}",
        "EnvironmentMaintenanceEnablePipelineRole04B9B149",
    ),
    "maintenance-disable": (
        f"Maintenance_Disable_{PROJECT}",
        "EnvironmentMaintenanceDisablePipelineRole92DCB6E8",
    ),
    "rollout-scheduler": (
        f"Rollout_Scheduler_{PROJECT}",
        "EnvironmentRolloutSchedulerPipelineRole8357CEB6",
    ),
    "ecs-updater": (f"ECS-updater-{PROJECT}", "EnvironmentEcsUpdaterPipelineRole35079552"),
}


def arn(rest: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, rest]]}


def get_arn(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


@pytest.fixture(scope="module")
def template() -> assertions.Template:
    stack = new_stack()
    environment(stack)
    return assertions.Template.from_stack(stack)


def statements(template: assertions.Template, role: str) -> list[dict[str, Any]]:
    policies = template.find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": role}]}}
    )
    return [s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]]


def test_action_role_trusts_only_the_pipelines_roles(template: assertions.Template) -> None:
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"AWS": get_arn(role)},
                    }
                    for _, role in PIPELINES.values()
                ],
                "Version": "2012-10-17",
            },
            "Description": f"Shared by the actions of the SCCOS pipelines of {PROJECT}",
        },
    )
    for name, role in PIPELINES.values():
        template.has_resource_properties(
            "AWS::CodePipeline::Pipeline", {"Name": name, "RoleArn": get_arn(role)}
        )
    assert len(template.find_resources("AWS::CodePipeline::Pipeline")) == len(PIPELINES)


def test_pass_role_and_tagging_stay_in_the_environment(template: assertions.Template) -> None:
    """Services referenced by name: their families are their names, their roles `<cluster>-*`."""
    denies = [s for s in statements(template, ACTION_ROLE) if s["Effect"] == "Deny"]
    assert denies == [
        {
            "Action": ["ecs:DescribeServices", "ecs:UpdateService"],
            "Effect": "Deny",
            "NotResource": [
                arn(f":ecs:eu-central-1:123456789012:service/demo/demo-{key}")
                for key in SERVICE_KEYS
            ],
        },
        PASS_ROLE_ONLY_TO_ECS_TASKS,
        {
            "Action": "iam:PassRole",
            "Effect": "Deny",
            "NotResource": arn(":iam::123456789012:role/demo-*"),
        },
        {
            "Action": ["ecs:RegisterTaskDefinition", "ecs:TagResource"],
            "Effect": "Deny",
            "NotResource": [
                arn(f":ecs:eu-central-1:123456789012:task-definition/demo-{key}:*")
                for key in SERVICE_KEYS
            ],
        },
    ]


FRONTEND_FAMILY = arn(":ecs:eu-central-1:123456789012:task-definition/demo-frontend:*")
PASS_DEMO_ROLES = {
    "Action": "iam:PassRole",
    "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
    "Effect": "Allow",
    "Resource": arn(":iam::123456789012:role/demo-*"),
}
ON_CREATION = {"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}}


def test_maintenance_registers_only_the_frontends_family(template: assertions.Template) -> None:
    found = statements(template, "EnvironmentSupportMaintenanceRoleAE021B4A")
    assert {
        "Action": "ecs:RegisterTaskDefinition",
        "Effect": "Allow",
        "Resource": FRONTEND_FAMILY,
    } in found
    assert {
        "Action": "ecs:TagResource",
        "Condition": ON_CREATION,
        "Effect": "Allow",
        "Resource": FRONTEND_FAMILY,
    } in found
    assert PASS_DEMO_ROLES in found
    ecs_on_anything = [s for s in found if s["Resource"] == "*"]
    assert ecs_on_anything == [
        {"Action": "ecs:DescribeTaskDefinition", "Effect": "Allow", "Resource": "*"}
    ]


def test_the_updater_registers_only_the_services_families(template: assertions.Template) -> None:
    found = statements(template, "EnvironmentSupportUpdateServicesRole6C157CA9")
    families = [
        arn(f":ecs:eu-central-1:123456789012:task-definition/demo-{key}:*") for key in SERVICE_KEYS
    ]
    assert {
        "Action": "ecs:RegisterTaskDefinition",
        "Effect": "Allow",
        "Resource": families,
    } in found
    assert {
        "Action": "ecs:TagResource",
        "Condition": ON_CREATION,
        "Effect": "Allow",
        "Resource": families,
    } in found
    assert PASS_DEMO_ROLES in found
    assert [s for s in found if s["Resource"] == "*"] == [
        {"Action": "ecs:DescribeTaskDefinition", "Effect": "Allow", "Resource": "*"}
    ]


def test_named_families_and_role_prefix_replace_the_defaults() -> None:
    stack = new_stack()
    services = {
        key: ServiceTarget(
            ecs.FargateService.from_fargate_service_attributes(
                stack,
                f"Named-{key}",
                cluster=ecs.Cluster.from_cluster_attributes(
                    stack,
                    f"NamedCluster-{key}",
                    cluster_name="demo",
                    vpc=ec2.Vpc.from_vpc_attributes(
                        stack,
                        f"NamedVpc-{key}",
                        vpc_id="vpc-2",
                        availability_zones=["eu-central-1a"],
                        private_subnet_ids=["subnet-2"],
                    ),
                ),
                service_name=f"demo-{key}",
            ),
            key,
            task_family="shop-frontend" if key == "frontend" else None,
        )
        for key in SERVICE_KEYS
    }
    environment(stack, services=services, task_role_prefix="shop-staging-ecs-")
    template = assertions.Template.from_stack(stack)
    found = statements(template, "EnvironmentSupportMaintenanceRoleAE021B4A")
    assert {
        "Action": "ecs:RegisterTaskDefinition",
        "Effect": "Allow",
        "Resource": arn(":ecs:eu-central-1:123456789012:task-definition/shop-frontend:*"),
    } in found
    assert {
        **PASS_DEMO_ROLES,
        "Resource": arn(":iam::123456789012:role/shop-staging-ecs-*"),
    } in found
    denies = [s for s in statements(template, ACTION_ROLE) if s["Effect"] == "Deny"]
    assert denies[2:] == [
        {
            "Action": "iam:PassRole",
            "Effect": "Deny",
            "NotResource": arn(":iam::123456789012:role/shop-staging-ecs-*"),
        },
        {
            "Action": ["ecs:RegisterTaskDefinition", "ecs:TagResource"],
            "Effect": "Deny",
            "NotResource": [
                arn(
                    ":ecs:eu-central-1:123456789012:task-definition/"
                    + ("shop-frontend" if key == "frontend" else f"demo-{key}")
                    + ":*"
                )
                for key in SERVICE_KEYS
            ],
        },
    ]


@pytest.mark.parametrize("prefix", ["", "role/*", "a" * 64])
def test_a_task_role_prefix_must_start_a_role_name(prefix: str) -> None:
    with pytest.raises(PropsError) as raised:
        environment(new_stack(), task_role_prefix=prefix)
    assert raised.value.problems == [
        f"task_role_prefix: is {prefix!r}. Fix: the start of an IAM role name, 1 to 63 of "
        "letters, digits and '+=,.@_-'"
    ]


def test_pass_role_and_tagging_scoped_to_known_task_definitions() -> None:
    stack = new_stack()
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "OwnVpc",
        vpc_id="vpc-2",
        availability_zones=["eu-central-1a"],
        private_subnet_ids=["subnet-2"],
    )
    cluster = ecs.Cluster.from_cluster_attributes(stack, "OwnCluster", cluster_name="own", vpc=vpc)
    tasks = {}
    for family in ("demo-app", "demo-jenkins"):
        tasks[family] = ecs.FargateTaskDefinition(stack, family, family=family)
        tasks[family].add_container("app", image=ecs.ContainerImage.from_registry("nginx"))
    services = {
        key: ServiceTarget(
            ecs.FargateService(
                stack,
                f"Own-{key}",
                cluster=cluster,
                task_definition=tasks["demo-jenkins" if key == "jenkins" else "demo-app"],
            ),
            key,
        )
        for key in SERVICE_KEYS
    }
    environment(stack, services=services)
    template = assertions.Template.from_stack(stack)
    denies = [s for s in statements(template, ACTION_ROLE) if s["Effect"] == "Deny"]
    assert denies[2:] == [
        {
            "Action": "iam:PassRole",
            "Effect": "Deny",
            "NotResource": [
                get_arn("demoappTaskRole556F371D"),
                get_arn("demojenkinsTaskRoleBF6AF996"),
            ],
        },
        {
            "Action": ["ecs:RegisterTaskDefinition", "ecs:TagResource"],
            "Effect": "Deny",
            "NotResource": [
                arn(":ecs:eu-central-1:123456789012:task-definition/demo-app:*"),
                arn(":ecs:eu-central-1:123456789012:task-definition/demo-jenkins:*"),
            ],
        },
    ]


def test_no_report_group_grants(template: assertions.Template) -> None:
    policies = template.find_resources("AWS::IAM::Policy")
    assert "report-group" not in str(policies)
    assert "codebuild:CreateReportGroup" not in str(policies)


def test_log_groups_are_named_kept_a_year_and_encrypted(template: assertions.Template) -> None:
    groups = template.find_resources("AWS::Logs::LogGroup")
    assert [g["Properties"]["LogGroupName"] for g in groups.values()] == LOG_GROUPS
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == 365
        assert group["Properties"]["KmsKeyId"] == get_arn("EnvironmentKeyDEA985CB")


def test_key_lets_cloudwatch_logs_use_it_for_our_log_groups_only(
    template: assertions.Template,
) -> None:
    template.has_resource_properties(
        "AWS::KMS::Key",
        {
            "KeyPolicy": {
                "Statement": Match.array_with(
                    [
                        {
                            "Action": [
                                "kms:Encrypt*",
                                "kms:Decrypt*",
                                "kms:ReEncrypt*",
                                "kms:GenerateDataKey*",
                                "kms:Describe*",
                            ],
                            "Condition": {
                                "ArnEquals": {
                                    "kms:EncryptionContext:aws:logs:arn": [
                                        arn(f":logs:eu-central-1:123456789012:log-group:{name}")
                                        for name in LOG_GROUPS
                                    ]
                                }
                            },
                            "Effect": "Allow",
                            "Principal": {"Service": "logs.eu-central-1.amazonaws.com"},
                            "Resource": "*",
                        }
                    ]
                )
            }
        },
    )


def test_artifacts_versioned_and_old_versions_expire(template: assertions.Template) -> None:
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "VersioningConfiguration": {"Status": "Enabled"},
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
                        "Status": "Enabled",
                    },
                    *(
                        {  # the hooks' variables hold secrets: kept a day
                            "ExpirationInDays": 1,
                            "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
                            "Prefix": f"{prefix}/Variables/",
                            "Status": "Enabled",
                        }
                        for prefix in (
                            "NORMAL_Deploy_Spryke",
                            "DESTRUCTIVE_Deploy_S",
                            "Rollout_Scheduler_sp",
                        )
                    ),
                ]
            },
            "LoggingConfiguration": {
                "LogFilePrefix": "artifacts/",
                "DestinationBucketName": Match.any_value(),
            },
        },
    )


def test_topic_refuses_plain_http(template: assertions.Template) -> None:
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": "sns:Publish",
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        "Effect": "Deny",
                        "Principal": "*",
                        "Resource": {"Ref": "EnvironmentApprovalTopic10818207"},
                        "Sid": "AllowPublishThroughSSLOnly",
                    }
                ],
                "Version": "2012-10-17",
            }
        },
    )


def test_moving_the_deployed_tag_may_put_the_image(template: assertions.Template) -> None:
    retag = {
        "Action": Match.array_with(["ecr:BatchGetImage", "ecr:PutImage"]),
        "Effect": "Allow",
        "Resource": get_arn("EnvironmentRepositorybofficeeuEDE1ECEF"),
    }
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [{"Ref": "EnvironmentSupportBuildRole36F85E2F"}],
            "PolicyDocument": {"Statement": Match.array_with([retag])},
        },
    )


def test_recording_a_deployed_version_may_tag_it_in_every_repository(
    template: assertions.Template,
) -> None:
    """UpdateDeployedVersion tags the version in every repository (sccos-deployed and
    sccos-deployed-<version>), so that the lifecycle policy keeps it: read and put, no more."""
    tag = {
        "Action": ["ecr:BatchGetImage", "ecr:PutImage"],
        "Effect": "Allow",
        "Resource": [
            get_arn("EnvironmentRepositorybofficeeuEDE1ECEF"),
            get_arn("EnvironmentRepositorybackgweuE16D7621"),
            get_arn("EnvironmentRepositoryyveseu1252C604"),
            get_arn("EnvironmentRepositoryglueeu61B47740"),
            get_arn("EnvironmentRepositoryfrontendB73CB92A"),
            get_arn("EnvironmentRepositoryjenkins32640F68"),
            get_arn("EnvironmentRepositorypipelineE06A19D9"),
        ],
    }
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [{"Ref": "EnvironmentSupportRecordDeployedRole79F64A45"}],
            "PolicyDocument": {"Statement": Match.array_with([tag])},
        },
    )


def _action_variables(name: str, step: str, variables: list[dict[str, str]]) -> dict[str, Any]:
    action = {
        "Configuration": Match.object_like(
            {"EnvironmentVariables": Match.serialized_json(Match.array_with(variables))}
        )
    }
    return {
        "Name": name,
        "Stages": Match.array_with(
            [
                Match.object_like(
                    {"Name": step, "Actions": Match.array_with([Match.object_like(action)])}
                )
            ]
        ),
    }


@pytest.mark.parametrize(("kind", "other"), [("normal", "destructive"), ("destructive", "normal")])
def test_build_waits_for_the_other_pipeline_and_broker_resets_only_when_destructive(
    template: assertions.Template, kind: str, other: str
) -> None:
    name = PIPELINES[kind][0]
    other_pipeline = {
        "name": "SCCOS_OTHER_PIPELINE",
        "type": "PLAINTEXT",
        "value": PIPELINES[other][0],
    }
    template.has_resource_properties(
        "AWS::CodePipeline::Pipeline",
        _action_variables(name, "Build_and_Prepare", [other_pipeline]),
    )
    pipeline_type = {"name": "SPRYKER_PIPELINE_TYPE", "type": "PLAINTEXT", "value": kind}
    template.has_resource_properties(
        "AWS::CodePipeline::Pipeline",
        _action_variables(name, "Configure_RabbitMQ_Vhosts_and_Permissions", [pipeline_type]),
    )


def test_no_step_may_write_desired_version(template: assertions.Template) -> None:
    """`/<project>/desired_version` is the operator's (Spryker's "Deploy in a staging
    environment" recommends `latest` there to "Avoid updating /spryker-staging/desired_version
    during each deployment."): the roles that may write a version parameter, and which."""

    def parameter(logical_id: str) -> dict[str, Any]:
        return {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":ssm:eu-central-1:123456789012:parameter",
                    {"Ref": logical_id},
                ],
            ]
        }

    writers = {
        role: s["Resource"]
        for role in (
            "EnvironmentSupportBuildRole36F85E2F",
            "EnvironmentSupportBuildImagesRoleC663C54B",
            "EnvironmentSupportRecordDeployedRole79F64A45",
            "EnvironmentSupportVersionsRole1F412C18",
        )
        for s in statements(template, role)
        if "ssm:PutParameter" in s["Action"]
    }
    assert writers == {
        "EnvironmentSupportBuildRole36F85E2F": parameter(
            "EnvironmentParameterLastbuildversionCF0E74A9"
        ),
        "EnvironmentSupportBuildImagesRoleC663C54B": parameter(
            "EnvironmentParameterLastbuildversionCF0E74A9"
        ),
        "EnvironmentSupportRecordDeployedRole79F64A45": parameter(
            "EnvironmentParameterLastDeployedVersion4337FE74"
        ),
    }
    # Nor any other role of the stack, by name or by a wildcard.
    written = [
        resource
        for p in template.find_resources("AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if "ssm:PutParameter" in s["Action"] or "ssm:*" in s["Action"]
        for resource in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
    ]
    assert parameter("EnvironmentParameterDesiredVersion75AFD13A") not in written
    assert "*" not in written
