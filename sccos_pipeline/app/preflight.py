"""Before any stack is built: every deploy file loads, and no two environments of the app would
create the same physical names in one account and region (CloudFormation would refuse the
second only at deploy), nor read the same Spryker variables. Plain Python (no aws_cdk)."""

from __future__ import annotations

from ..core import naming
from ..core.deployfile.applications import image_names
from ..core.deployfile.loader import validate_deploy_file
from ..core.stages import PipelineKind
from .schema import key_path, shown
from .settings import EnvironmentSettings, SettingsError

_SHOWN_NAMES = 3


def check_environments(environments: list[EnvironmentSettings]) -> None:
    """Raises SettingsError naming each environment, and both environments of each clash."""
    problems: list[str] = []
    owners: dict[tuple[str, str, str], str] = {}  # (account, region, name) -> environment
    clashes: dict[tuple[str, str], list[str]] = {}  # (first, second) -> names both create
    trees: list[tuple[str, str, str, str]] = []  # (account, region, variable path, environment)
    for e in environments:
        at = f"{key_path([e.name])}.deployFile"
        result = validate_deploy_file(e.deploy_file, project=e.project)
        if result.model is None:
            problems += [f"{at}: {finding.format()}" for finding in result.errors]
            continue
        names = naming.physical_names(
            result.model.project, image_names(result.model), e.pipelines or tuple(PipelineKind)
        )
        problems += [
            f"{at}: an application of {e.deploy_file} {problem}; allowed: application names "
            "that make valid ECR repository names"
            for problem in naming.name_problems(names)
        ]
        for kind, found in names.items():
            for name in found:
                first = owners.setdefault((e.account, e.region, name), e.name)
                if first != e.name:
                    clashes.setdefault((first, e.name), []).append(f"{kind} {shown(name)}")
        trees.append((e.account, e.region, naming.variable_tree(result.model.project), e.name))
    for (first, second), same in clashes.items():
        listed = ", ".join(same[:_SHOWN_NAMES]) + (", ..." if len(same) > _SHOWN_NAMES else "")
        problems.append(
            f"{key_path([second])}: would create the same {len(same)} names as "
            f"{key_path([first])} in the same account and region ({listed}); allowed: a "
            'different "project" (or deploy file) for one of them, or another account or region'
        )
    problems += _shared_variables(trees, owners, set(clashes))
    if problems:
        raise SettingsError(problems)


def _shared_variables(
    trees: list[tuple[str, str, str, str]],
    owners: dict[tuple[str, str, str], str],
    reported: set[tuple[str, str]],
) -> list[str]:
    """An environment reads every parameter under its variable path (and the path itself): no
    other environment of the account and region may have that path, or a parameter named so.
    (Two environments already reported for the same names are not reported again.)"""
    problems = []
    seen: dict[tuple[str, str, str], str] = {}
    for account, region, tree, name in trees:
        first = seen.setdefault((account, region, tree), name)
        other = first if first != name else owners.get((account, region, tree), name)
        if other != name and (other, name) not in reported:
            problems.append(
                f"{key_path([name])}: would read the Spryker variables of {key_path([other])} "
                f'({tree} in the same account and region); allowed: a different "project" for '
                "one of them (the variables of <project>-<environment> are under "
                "/<project>/<environment>, of a project without '-' under /<project>/default), "
                "or another account or region"
            )
    return problems
