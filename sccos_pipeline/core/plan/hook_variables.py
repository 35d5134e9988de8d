"""What the hooks see at run time beyond the image: the back office's variables, read by one
step of NORMAL and DESTRUCTIVE and handed to each hook as the `Variables` artifact.

Spryker's deployment-pipelines doc says "all Zed environment variables are accessible" to the
hook projects
(https://docs.spryker.com/docs/ca/dev/configure-deployment-pipelines/deployment-pipelines.html).
A hook runs on CodeBuild, not in ECS, so the step reads what ECS would give
the back-office container: its task definition's environment and secrets, and the Parameter
Store tree's `app` bucket
(https://docs.spryker.com/docs/ca/dev/add-variables-in-the-parameter-store.html),
into an `export NAME='value'` file (core.scripts.hook_variables). The hook
buildspec sources it (core.plan.hook_buildspec says what wins over what).

Where: Build_and_Prepare, run order 2, after the build. The values are read once per execution,
before the first hook, and not at all when the build fails. They hold secrets: the artifact
bucket is KMS-encrypted, and the construct expires this artifact's objects after a day.
"""

from __future__ import annotations

import shlex

from .. import naming
from ..deployfile.applications import hook_image_name
from ..deployfile.model import DeployModel
from ..scripts import script_code
from . import permissions as can
from .model import (
    SOURCE_ARTIFACT,
    ActionKind,
    Permission,
    PlanAction,
    PlanOptions,
    PlanProject,
    Variable,
)
from .references import Resources, Service
from .shell import spec

HOOK_VARIABLES = "HookVariables"  # the project's construct id: a public contract
VARIABLES_ARTIFACT = "Variables"
VARIABLES_FILE = "hook-variables.sh"
RUN_ORDER = 2  # in Build_and_Prepare, after the build

# The task definition's secrets may lie outside the tree: those the settings name are readable.
READ_SETTINGS_PARAMETERS = Permission(
    ("ssm:GetParameters",),
    (Resources.HOOK_SECRETS_SSM,),
    "read the task definition's secrets that the settings name, outside the variable tree",
)
READ_SETTINGS_SECRETS = Permission(
    ("secretsmanager:GetSecretValue",),
    (Resources.HOOK_SECRETS_SECRETSMANAGER,),
    "read the task definition's Secrets Manager secrets that the settings name",
)


def back_office(model: DeployModel) -> str:
    """The ECS service key of the back office: the application whose image the hooks run."""
    return hook_image_name(model)


def kept_variables(options: PlanOptions) -> tuple[str, ...]:
    """What the hook project and its action set, which the back office's file must not
    override: the settings' plain and secret variables, and the deployed commit."""
    return (
        "SPRYKER_PROJECT_NAME",
        "SCCOS_COMMIT",
        *options.hook_variables,
        *options.hook_secret_names,
    )


def hook_variables_buildspec(model: DeployModel, options: PlanOptions) -> dict[str, object]:
    key = back_office(model)
    cluster, service = options.service(model.project, key).split("/", 1)
    q = shlex.quote
    script = (
        "set -euo pipefail\n"
        f'python3 -c "$SCCOS_HOOK_VARIABLES" --cluster {q(cluster)} --service {q(service)} '
        f'--container {q(options.container(key))} --tree "$SCCOS_VARIABLE_TREE" '
        f"--out {VARIABLES_FILE} || {{\n"
        '  echo "If access to a parameter or secret outside $SCCOS_VARIABLE_TREE was denied" \\\n'
        '    "above, name it in the settings\' secrets: this step may read those." >&2\n'
        "  exit 1\n"
        "}"
    )
    result = spec([script], variables={"SCCOS_HOOK_VARIABLES": script_code("hook_variables")})
    result["artifacts"] = {"files": [VARIABLES_FILE]}
    return result


def hook_variables_project(model: DeployModel, options: PlanOptions) -> PlanProject:
    key = back_office(model)
    tree = options.variable_tree or naming.variable_tree(model.project)
    return PlanProject(
        key=HOOK_VARIABLES,
        name=naming.hook_variables_project(model.project),
        runs=f"read the variables of the {key} service and of {tree} for the hooks",
        buildspec=hook_variables_buildspec(model, options),
        variables=(Variable("SCCOS_VARIABLE_TREE", tree),),
        permissions=(
            can.READ_VARIABLES,
            READ_SETTINGS_PARAMETERS,
            READ_SETTINGS_SECRETS,
            can.describe_services(Service(key)),
            can.DESCRIBE_TASK_DEFINITIONS,
        ),
    )


def hook_variables_action(model: DeployModel) -> PlanAction:
    return PlanAction(
        naming.STEP_HOOK_VARIABLES,
        ActionKind.BUILD,
        f"the {back_office(model)} service's variables and the tree's, for the hooks",
        run_order=RUN_ORDER,
        project=HOOK_VARIABLES,
        inputs=(SOURCE_ARTIFACT,),
        outputs=(VARIABLES_ARTIFACT,),
    )
