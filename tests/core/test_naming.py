"""Physical names: every name derived from the project fits what AWS accepts for its kind."""

from __future__ import annotations

import pytest

from sccos_pipeline.core import naming
from sccos_pipeline.core.stages import PipelineType


def test_longest_project_fits_every_name() -> None:
    assert naming.MAX_PROJECT_LENGTH == 73  # DESTRUCTIVE_Deploy_Spryker_ takes 27 of 100
    assert naming.project_name_problem("p" * 73) is None
    names = naming.physical_names("p" * 73)
    assert max(len(n) for n in names["pipeline"]) == 100


@pytest.mark.parametrize(
    ("project", "problem"),
    [
        (
            "p" * 74,
            "makes the pipeline name 'DESTRUCTIVE_Deploy_Spryker_pppppppppppppppppppppppppppppp"
            "...' 101 characters long; AWS allows 1 to 100",
        ),
        ("my shop", "may hold only letters, digits, '-' and '_'"),
        (
            "shop_",
            "makes the ECR repository name 'shop_-frontend'; AWS allows lower-case letters and "
            "digits with single '.', '_' or '-' between them",
        ),
        (
            "-shop",
            "makes the ECR repository name '-shop-frontend'; AWS allows lower-case letters and "
            "digits with single '.', '_' or '-' between them",
        ),
    ],
)
def test_project_names_aws_would_refuse(project: str, problem: str) -> None:
    assert naming.project_name_problem(project) == problem


def test_physical_names_of_one_environment() -> None:
    names = naming.physical_names("shop", ["yves_eu", "pipeline"], [PipelineType.NORMAL])
    assert names == {
        "CodeBuild project": (
            "Run_pre-deploy_for_shop",
            "Run_install_for_shop",
            "Run_post-deploy_for_shop",
            "Build_spryker_app_for_shop",
            "Build_images_for_shop",
            "Switch_maintenance_mode_for_shop",
            "Prepare_scheduler_rollout_for_shop",
            "Setup_scheduler_for_shop",
            "Update_ECS_services_for_shop",
            "Read_hook_variables_for_shop",
            "Configure_RabbitMQ_for_shop",
            "Update_pipeline_approval_info_for_shop",
            "Update_latest_deployed_version_of_shop",
            "Pre_deploy_config_for_shop",
            "Post_deploy_config_for_shop",
        ),
        "pipeline": ("NORMAL_Deploy_Spryker_shop",),
        "ECR repository": ("shop-yves_eu", "shop-pipeline"),
        "SSM parameter": (
            "/shop/lastbuildversion",
            "/shop/desired_version",
            "/shop/last_deployed_version",
        ),
        "KMS alias": ("alias/sccos/shop",),
    }


def test_the_sccos_pipeline_names() -> None:
    from sccos_pipeline.core.stages import PipelineKind

    assert [naming.pipeline("shop-prod", k) for k in PipelineKind] == [
        "NORMAL_Deploy_Spryker_shop-prod",
        "DESTRUCTIVE_Deploy_Spryker_shop-prod",
        "Build_Spryker_shop-prod",
        "Maintenance_Enable_shop-prod",
        "Maintenance_Disable_shop-prod",
        "Rollout_Scheduler_shop-prod",
        "ECS-updater-shop-prod",
    ]
    assert naming.variable_tree("shop-prod") == "/shop/prod"
    assert naming.variable_tree("b2c-demo-shop-staging") == "/b2c-demo-shop/staging"
    assert naming.ssm_parameter("shop-prod", "desired_version") == "/shop-prod/desired_version"
