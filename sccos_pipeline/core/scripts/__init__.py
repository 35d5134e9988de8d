"""Stdlib-only scripts that pipelines run on CodeBuild as `python3 -c "$(text)" ARGS...`.

Each script is one self-contained file: CodeBuild's standard image has the AWS CLI but its
system python has no boto3, so they call the CLI (`--output json`) through subprocess. Parts
several scripts need are copied between `# --- shared: ... ---` markers (a test keeps the
copies identical), since an embedded script cannot import its siblings.
"""

from __future__ import annotations

from importlib import resources

SCRIPTS = ("variables", "update_service", "hook_variables")


def script_text(name: str) -> str:
    """The exact text of the script `name` (e.g. "variables"), for embedding in a buildspec."""
    if name not in SCRIPTS:
        raise ValueError(f"no script {name!r}; the scripts are {', '.join(SCRIPTS)}")
    return resources.files(__package__).joinpath(f"{name}.py").read_text(encoding="utf-8")
