"""Our catalogue of bad deploy files: each gives one clear error with its code and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sccos_pipeline.core.deployfile.findings import Severity
from sccos_pipeline.core.deployfile.loader import validate_deploy_file
from tests.conftest import write_project

# Hostile input must fail fast: several of these took minutes or hung before their guard.
pytestmark = pytest.mark.timeout(5)

HEAD = "image:\n  tag: spryker/php:8.4\n  environment:\n"

# (id, files, project, code, line): the main file is always deploy.yml.
CASES: list[tuple[str, dict[str, str | bytes], str | None, str, int]] = [
    ("empty", {"deploy.yml": ""}, None, "SCC008", 1),
    ("only-comments", {"deploy.yml": "# nothing here\n"}, None, "SCC008", 1),
    ("root-list", {"deploy.yml": "- a\n- b\n"}, None, "SCC009", 1),
    ("root-scalar", {"deploy.yml": "\nhello\n"}, None, "SCC009", 2),
    ("duplicate-top-key", {"deploy.yml": "version: 1\nversion: 2\n"}, None, "SCC005", 2),
    (
        "duplicate-env-key",
        {"deploy.yml": HEAD + "    A: 1\n    A: 2\n"},
        None,
        "SCC005",
        5,
    ),
    ("unclosed-flow", {"deploy.yml": "image:\n  tag: [unclosed\n"}, None, "SCC004", 3),
    ("tab-indent", {"deploy.yml": "image:\n\ttag: x\n"}, None, "SCC004", 2),
    ("bad-utf8", {"deploy.yml": b"image:\n  tag: \xff\n"}, None, "SCC002", 2),
    ("control-char", {"deploy.yml": "a: \x01\n"}, None, "SCC004", 1),
    ("too-large", {"deploy.yml": "a: " + "x" * (1024 * 1024) + "\n"}, None, "SCC003", 1),
    ("too-many-values", {"deploy.yml": "a:\n  - [" + "0," * 100_000 + "0]\n"}, None, "SCC003", 2),
    ("deep-nesting", {"deploy.yml": "a: " + "[" * 200 + "]" * 200 + "\n"}, None, "SCC006", 1),
    (
        "deep-merge",
        {"deploy.yml": "a: " + "{<<: " * 998 + "{}" + "}" * 998 + "\n"},
        None,
        "SCC006",
        1,
    ),
    (
        "alias-bomb",
        {
            "deploy.yml": "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
                for i in range(8)
            )
        },
        None,
        "SCC007",
        1,
    ),
    (
        "flow-alias-bomb",  # `"k":*a` (no space after the colon) once escaped the count
        {
            "deploy.yml": 'a: &a {"k0":x,"k1":x,"k2":x,"k3":x,"k4":x,"k5":x,"k6":x,"k7":x}\n'
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} {{"
                + ",".join(f'"k{j}":*{chr(97 + i)}' for j in range(8))
                + "}\n"
                for i in range(8)
            )
        },
        None,
        "SCC007",
        1,
    ),
    (
        "alias-text-bomb",  # few values, but 100 copies of 50 KB: every check reads each
        {"deploy.yml": "x: &b " + "y" * 50_000 + "\nz: [" + ", ".join(["*b"] * 100) + "]\n"},
        None,
        "SCC007",
        1,
    ),
    ("recursive-alias", {"deploy.yml": "a: &a [*a]\n"}, None, "SCC007", 1),
    ("two-documents", {"deploy.yml": "a: 1\n---\nb: 2\n"}, None, "SCC004", 2),
    ("image-list", {"deploy.yml": "image: [1]\n"}, None, "SCC020", 1),
    ("image-tag-int", {"deploy.yml": "image:\n  tag: 8\n"}, None, "SCC020", 2),
    ("environment-list", {"deploy.yml": "image:\n  environment: [A]\n"}, None, "SCC021", 2),
    ("env-name-digit", {"deploy.yml": HEAD + "    1ABC: x\n"}, None, "SCC022", 4),
    ("env-name-dash", {"deploy.yml": HEAD + "    MY-VAR: x\n"}, None, "SCC022", 4),
    ("env-value-map", {"deploy.yml": HEAD + "    A:\n      b: c\n"}, None, "SCC023", 5),
    ("env-value-list", {"deploy.yml": HEAD + "    A: [1, 2]\n"}, None, "SCC023", 4),
    (
        "hook-bool",
        {"deploy.yml": HEAD + "    SPRYKER_HOOK_AFTER_DEPLOY: true\n"},
        None,
        "SCC024",
        4,
    ),
    ("hook-int", {"deploy.yml": HEAD + "    SPRYKER_HOOK_INSTALL: 1\n"}, None, "SCC024", 4),
    ("custom-image", {"deploy.yml": "image:\n  tag: acme/php:8.4\n"}, None, "SCC025", 2),
    (
        "other-registry",
        {"deploy.yml": "image:\n  tag: public.ecr.aws/spryker/php:8.4\n"},
        None,
        "SCC025",
        2,
    ),
    ("project-space", {"deploy.yml": HEAD}, "my shop", "SCC026", 1),
    ("project-too-long", {"deploy.yml": HEAD}, "p" * 240, "SCC026", 1),
    ("namespace-dots", {"deploy.yml": HEAD + "namespace: my.shop\n"}, None, "SCC026", 4),
    ("project-pipeline-too-long", {"deploy.yml": HEAD}, "p" * 82, "SCC026", 1),  # CodePipeline: 100
    ("namespace-ecr-refuses", {"deploy.yml": HEAD + "namespace: shop_\n"}, None, "SCC026", 4),
    # SSM refuses parameter names beginning with "aws" or "ssm", in any case: /<project>/...
    ("project-reserved-by-ssm", {"deploy.yml": HEAD}, "aws-env-template", "SCC026", 1),
    (
        "namespace-reserved-by-ssm",
        {"deploy.yml": HEAD + "namespace: Ssm-shop\n"},
        None,
        "SCC026",
        4,
    ),
    (
        "application-shell",  # it would land in the build script's `for repository in ...`
        {
            "deploy.yml": HEAD
            + "groups:\n  EU:\n    applications:\n      zed$(id):\n        application: zed\n"
        },
        None,
        "SCC028",
        7,
    ),
    (
        "application-ecr-refuses",
        {
            "deploy.yml": HEAD
            + "groups:\n  EU:\n    applications:\n      yves--eu:\n        application: yves\n"
        },
        None,
        "SCC028",
        7,
    ),
    (
        "hook-nul",
        {"deploy.yml": HEAD + '    SPRYKER_HOOK_INSTALL: "echo \\0 done"\n'},
        None,
        "SCC029",
        4,
    ),
    (
        "dynamic-reference-in-hook",
        {
            "deploy.yml": HEAD
            + "    SPRYKER_HOOK_INSTALL: echo {{resolve:secretsmanager:db:SecretString:password}}\n"
        },
        None,
        "SCC041",
        4,
    ),
    (
        "cdk-token-in-value",
        {"deploy.yml": HEAD + "    ACCOUNT: '${Token[AWS.AccountId.7]}'\n"},
        None,
        "SCC041",
        4,
    ),
    (
        "dynamic-reference-in-key",
        {"deploy.yml": HEAD + "regions:\n  EU:\n    stores:\n      '{{resolve:ssm:/x}}': {}\n"},
        None,
        "SCC041",
        7,
    ),
    (
        "hook-too-long-for-an-environment-variable",
        {"deploy.yml": HEAD + "    SPRYKER_HOOK_AFTER_DEPLOY: " + "x" * 131_100 + "\n"},
        None,
        "SCC040",
        4,
    ),
    ("groups-list", {"deploy.yml": HEAD + "groups: [a]\n"}, None, "SCC027", 4),
    (
        "application-without-type",
        {"deploy.yml": HEAD + "groups:\n  EU:\n    applications:\n      yves: {}\n"},
        None,
        "SCC027",
        7,
    ),
    (
        "stores-list",
        {"deploy.yml": HEAD + "regions:\n  EU:\n    stores: [DE]\n"},
        None,
        "SCC027",
        6,
    ),
    ("imports-scalar", {"deploy.yml": "imports: base.yml\n"}, None, "SCC030", 1),
    (
        "import-parameters-scalar",
        {
            "deploy.yml": "imports:\n  base.yml:\n    parameters: stage\n",
            "config/deploy-templates/base.yml": "a: 1\n",
        },
        None,
        "SCC030",
        3,
    ),
    (
        "import-escapes",
        {"deploy.yml": "imports:\n  ../../../../etc/passwd:\n"},
        None,
        "SCC030",
        2,
    ),
    (
        "import-cycle",
        {
            "deploy.yml": "imports:\n  a.yml:\n",
            "config/deploy-templates/a.yml": "imports:\n  b.yml:\n",
            "config/deploy-templates/b.yml": "imports:\n  a.yml:\n",
        },
        None,
        "SCC030",
        2,
    ),
    (
        "import-unknown-filter",
        {
            "deploy.yml": "imports:\n  a.yml:\n    parameters: {env: Dev}\n",
            "config/deploy-templates/a.yml": "namespace: shop-%env|title%\n",
        },
        None,
        "SCC030",
        1,
    ),
    (
        "imports-too-many",  # each with other parameters: none can reuse another's result
        {
            "deploy.yml": "imports:\n"
            + "".join(f"  - {{template: t.yml, parameters: {{n: {i}}}}}\n" for i in range(101)),
            "config/deploy-templates/t.yml": "x-%n%: 1\n",
        },
        None,
        "SCC030",
        102,
    ),
    (
        "import-parameter-blowup",  # 2 KB filled into 600 placeholders: 1.2 MB (or gigabytes)
        {
            "deploy.yml": "imports:\n  t.yml:\n    parameters:\n      p: " + "x" * 2000 + "\n",
            "config/deploy-templates/t.yml": "a: '" + "%p%" * 600 + "'\n",
        },
        None,
        "SCC030",
        1,
    ),
    (
        "imports-too-much-text",  # nine templates of 1 MB (comments), each read and parsed
        {
            "deploy.yml": "imports:\n"
            + "".join(f"  - {{template: t.yml, parameters: {{n: {i}}}}}\n" for i in range(9)),
            "config/deploy-templates/t.yml": "#" * (1024 * 1024 - 10) + "\na: 1\n",
        },
        None,
        "SCC030",
        10,
    ),
    ("import-nul-name", {"deploy.yml": 'imports:\n  "a\\0b":\n'}, None, "SCC030", 2),
    (
        "recipe-outside",
        {"deploy.yml": HEAD + "    SPRYKER_HOOK_INSTALL: vendor/bin/install -r ../../../x\n"},
        None,
        "SCC031",
        4,
    ),
    (
        "recipe-absolute",
        {"deploy.yml": HEAD + "    SPRYKER_HOOK_INSTALL: vendor/bin/install -r /etc/passwd\n"},
        None,
        "SCC031",
        4,
    ),
    ("php-tag", {"deploy.yml": "a: !php/const FOO\n"}, None, "SCC010", 1),
    ("complex-key", {"deploy.yml": "? [a]\n: b\n"}, None, "SCC010", 1),
    ("merge-scalar", {"deploy.yml": "a:\n  <<: 5\n"}, None, "SCC010", 2),
    ("bad-int-tag", {"deploy.yml": "a: !!int abc\n"}, None, "SCC010", 1),
    ("bool-tag-junk", {"deploy.yml": "a: !!bool yes\n"}, None, "SCC010", 1),  # not true
    ("null-tag-junk", {"deploy.yml": "a: !!null x\n"}, None, "SCC010", 1),
    ("int-tag-underscore", {"deploy.yml": "a: !!int 1_000\n"}, None, "SCC010", 1),
    (
        "duplicate-merge-key",
        {"deploy.yml": "x: &x {a: 1}\ny: &y {b: 2}\nz:\n  <<: *x\n  <<: *y\n"},
        None,
        "SCC005",
        5,
    ),
    # A key that would clear the terminal is quoted escaped (checked for every case below).
    ("escape-in-key", {"deploy.yml": HEAD + 'groups:\n  "EU\\e[2J": [1]\n'}, None, "SCC027", 5),
]

# Raw C0/C1 controls in a message would drive the terminal showing it.
RAW_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


@pytest.mark.parametrize(
    ("files", "project", "code", "line"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_gives_its_error(
    tmp_path: Path, files: dict[str, str | bytes], project: str | None, code: str, line: int
) -> None:
    write_project(tmp_path, files)
    result = validate_deploy_file(tmp_path / "deploy.yml", project=project)
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    assert not result.valid and result.model is None
    assert (code, line) in [(f.code, f.position.line) for f in errors], [f.format() for f in errors]
    assert all(f.position.line >= 1 and f.position.column >= 1 for f in result.findings)
    assert not [f.format() for f in result.findings if RAW_CONTROL.search(f.format())]


def test_catalogue_is_large_and_covers_every_error_code() -> None:
    from sccos_pipeline.core.deployfile.findings import CODES

    covered = {case[3] for case in CASES}
    errors = {code for code, (severity, _) in CODES.items() if severity is Severity.ERROR}
    assert len(CASES) >= 30
    # SCC001 (unreadable files) has tests of its own.
    assert errors - covered == {"SCC001"}


def test_directory_and_missing_file_are_unreadable(tmp_path: Path) -> None:
    for path in (tmp_path, tmp_path / "missing.yml"):
        result = validate_deploy_file(path)
        assert [f.code for f in result.findings] == ["SCC001"]


def test_all_errors_are_reported_together(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {"deploy.yml": "a: 1\na: 2\nimage:\n  tag: acme/php\n  environment:\n    1X: y\n"},
    )
    result = validate_deploy_file(tmp_path / "deploy.yml")
    assert [(f.code, f.position.line) for f in result.errors] == [
        ("SCC005", 2),
        ("SCC025", 4),
        ("SCC022", 6),
    ]


def test_a_project_name_ssm_reserves_is_refused_where_the_name_comes_from(tmp_path: Path) -> None:
    """`deploy.aws-env-template.yml`, Spryker's own template name, gives the project
    `aws-env-template`; SSM refuses every `/aws-env-template/...` parameter name."""
    write_project(
        tmp_path,
        {"deploy.aws-env-template.yml": HEAD, "deploy.yml": HEAD + "namespace: SSM-shop\n"},
    )
    by_file = validate_deploy_file(tmp_path / "deploy.aws-env-template.yml")
    by_namespace = validate_deploy_file(tmp_path / "deploy.yml")
    assert [f.format() for f in by_file.errors] == [
        f"{tmp_path}/deploy.aws-env-template.yml:1:1: error SCC026 the project name taken from "
        "the file name, 'aws-env-template', makes the SSM parameter name "
        "'/aws-env-template/lastbuildversion', which begins with 'aws': SSM reserves names "
        "beginning with 'aws' or 'ssm', in any case (fix: set another project name: --project "
        "NAME, or \"project\" in cdk.json; letters and digits with single '-' or '_' between "
        "them, at most 73 characters, not beginning with 'aws' or 'ssm')"
    ]
    assert [f.format() for f in by_namespace.errors] == [
        f"{tmp_path}/deploy.yml:4:12: error SCC026 the project name taken from `namespace`, "
        "'SSM-shop', makes the SSM parameter name '/SSM-shop/lastbuildversion', which begins "
        "with 'ssm': SSM reserves names beginning with 'aws' or 'ssm', in any case (fix: set "
        'another project name: `namespace`, --project NAME, or "project" in cdk.json; letters '
        "and digits with single '-' or '_' between them, at most 73 characters, not beginning "
        "with 'aws' or 'ssm')"
    ]
