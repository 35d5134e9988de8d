"""The environment a rehearsal deploys into: the stack's own resources as `cdk deploy` would
create them, the existing parts it references (cluster, services, secrets, broker), the
source repository, and the final state a report shows.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...core.naming import REHEARSAL_METADATA
from ..aws.server import AwsEmulator
from ..cloudformation.template import StackTemplate
from ..errors import RehearsalError
from .rabbitmq import RabbitMQ
from .standins import REHEARSAL_KEY

APPLICATION_USER = "spryker"
# A password a shell would break on: the broker step must pass it as JSON, not interpolate it.
APPLICATION_PASSWORD = 'pa"ss\\word $HOME'
INITIAL_IMAGE = "bootstrap"  # what the services run before the first deployment


@dataclass(frozen=True)
class EnvironmentDescription:
    """What the construct recorded for the rehearsal in the cloud assembly's metadata."""

    project: str
    deploy_file: Path
    deploy_file_in_repository: str
    app_dir: str
    broker_api_url: str
    services: Mapping[str, Mapping[str, Any]]
    # Pipeline kind (`normal`, `destructive`, `build`, ...) -> its name; empty in assemblies
    # synthesized before the construct recorded it.
    pipelines: Mapping[str, str] = field(default_factory=dict)
    plan: dict[str, Any] | None = None  # the environment plan as JSON, when recorded


def describe(cdk_out: Path, template: StackTemplate) -> EnvironmentDescription:
    manifest = json.loads((cdk_out / "manifest.json").read_text(encoding="utf-8"))
    artifact: dict[str, Any] = next(
        (a for k, a in manifest.get("artifacts", {}).items()
         if k == template.name or a.get("displayName") == template.name),
        {},
    )  # fmt: skip
    files = [artifact.get("additionalMetadataFile")] if "additionalMetadataFile" in artifact else []
    entries: dict[str, Any] = dict(artifact.get("metadata") or {})
    for name in files:
        entries.update(json.loads((cdk_out / str(name)).read_text(encoding="utf-8")))
    found = [
        e["data"] for items in entries.values() for e in items if e["type"] == REHEARSAL_METADATA
    ]
    if len(found) != 1:
        raise RehearsalError(
            f"stack {template.name} has {len(found)} SprykerEnvironment(s); the rehearsal runs a "
            "stack with exactly one (synthesize it with sccos_pipeline's SprykerEnvironment)"
        )
    data = found[0]
    return EnvironmentDescription(
        project=data["project"],
        deploy_file=Path(data["deployFile"]),
        deploy_file_in_repository=data["deployFileInRepository"],
        app_dir=data["appDir"],
        broker_api_url=data["brokerApiUrl"],
        services=data["services"],
        pipelines={str(k): str(v) for k, v in (data.get("pipelines") or {}).items()},
        plan=data.get("plan"),
    )


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RehearsalError(f"git {' '.join(args)} failed in {repo}: {done.stderr.strip()}")
    return done.stdout.strip()


def check_source(source: Path) -> None:
    """Refuse a source the Source action cannot deliver: no folder, or one with no file to
    commit (an empty commit made no archive: a ReadError, shown as a failed Source step)."""
    if not source.is_dir():
        raise RehearsalError(f"--source {source}: not a folder")
    if not _holds_a_file(source):
        raise RehearsalError(f"--source {source}: nothing to commit: the folder holds no file")


def _holds_a_file(source: Path) -> bool:
    """Whether git would commit something: a file or symlink outside .git (not empty folders)."""
    for folder, subfolders, files in os.walk(source):
        links = [d for d in subfolders if os.path.islink(os.path.join(folder, d))]
        if links or any(f != ".git" for f in files):
            return True
        subfolders[:] = [d for d in subfolders if d != ".git"]
    return False


class SourceRepository:
    """The rehearsal's own copy of the source: a clone, or the folder's snapshot committed."""

    def __init__(self, source: Path, workdir: Path) -> None:
        check_source(source)
        # As the user gave it, relative to the current directory: git runs elsewhere.
        source = source.absolute()
        self.path = workdir / "source"
        inside = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "--show-toplevel"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        clone = inside.returncode == 0 and Path(inside.stdout.strip()).resolve() == source.resolve()
        if clone:
            _git(workdir, "clone", "--quiet", "--no-hardlinks", str(source), str(self.path))
        else:
            shutil.copytree(source, self.path, ignore=shutil.ignore_patterns(".git"))
            _git(self.path, "init", "--quiet", "--initial-branch", "main")
        _git(self.path, "config", "user.email", "rehearsal@sccos-pipeline.invalid")
        _git(self.path, "config", "user.name", "sccos-pipeline rehearsal")
        if not clone:
            self.commit("snapshot of " + str(source))

    def commit(self, message: str, files: Mapping[str, str | None] | None = None) -> str:
        for name, content in (files or {}).items():
            target = self.path / name
            if content is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content, encoding="utf-8")
        _git(self.path, "add", "-A")
        _git(self.path, "commit", "--quiet", "--allow-empty", "-m", message)
        return self.head()

    def head(self) -> str:
        return _git(self.path, "rev-parse", "HEAD")

    def rev_parse(self, revision: str) -> str:
        """The commit a revision (`HEAD`, `HEAD~2`, a branch, a hash) names."""
        done = subprocess.run(
            ["git", "-C", str(self.path), "rev-parse", "--verify", "--quiet",
             f"{revision}^{{commit}}"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode:
            count = _git(self.path, "rev-list", "--count", "HEAD")
            raise RehearsalError(
                f"{revision}: no such commit in the rehearsal's source (it has {count})"
            )
        return done.stdout.strip()

    def read(self, name: str) -> str:
        return (self.path / name).read_text(encoding="utf-8")

    def export(self, revision: str, target: Path) -> bool:
        """The tree of `revision` into `target`; False when the revision is unknown."""
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile() as archive:
            done = subprocess.run(
                ["git", "-C", str(self.path), "archive", "--format=tar", revision],
                stdout=archive, stderr=subprocess.DEVNULL, check=False,
            )  # fmt: skip
            if done.returncode:
                return False
            archive.seek(0)
            with tarfile.open(fileobj=archive) as tar:
                extract_inside(tar, target)
        return True


def extract_inside(tar: tarfile.TarFile, target: Path) -> None:
    """Every member of `tar` into `target`, none written or linked outside it."""
    if hasattr(tarfile, "data_filter"):
        try:
            tar.extractall(target, filter="data")
        except tarfile.TarError as refused:  # FilterError: a member would leave `target`
            raise RehearsalError(
                f"the source's tree would land outside {target}: {refused}"
            ) from refused
        return
    # Python 3.11 before 3.11.4 (Debian 12's 3.11.2) has no extraction filters: check by hand.
    root = target.resolve()
    for member in tar.getmembers():
        place = (root / member.name).resolve()
        if member.issym():
            points = (place.parent / member.linkname).resolve()
        elif member.islnk():
            points = (root / member.linkname).resolve()
        else:
            points = place
        if not (place.is_relative_to(root) and points.is_relative_to(root)):
            raise RehearsalError(f"the source's {member.name!r} would land outside {target}")
    tar.extractall(target)


def create_resources(aws: AwsEmulator, template: StackTemplate) -> None:
    """The stack's own resources that steps call, as `cdk deploy` creates them."""
    ecr, ssm, sns = aws.admin("ecr"), aws.admin("ssm"), aws.admin("sns")
    for logical in template.resources("AWS::ECR::Repository"):
        ecr.create_repository(repositoryName=template.physical_name(logical))
    for resource in template.resources("AWS::SSM::Parameter").values():
        props = template.resolve(resource["Properties"])
        ssm.put_parameter(
            Name=props["Name"], Value=props["Value"], Type=props.get("Type", "String")
        )
    for logical in template.resources("AWS::SNS::Topic"):
        sns.create_topic(Name=template.physical_name(logical))


def write_parameters(
    aws: AwsEmulator, parameters: Mapping[str, str], delete: Sequence[str] = ()
) -> None:
    """SSM parameters as a scenario sets them: `delete` removed, then `parameters` written
    (SecureString under a `/secret/` path, else String; overwritten)."""
    ssm = aws.admin("ssm")
    for first in range(0, len(delete), 10):  # DeleteParameters takes 10 names at most
        ssm.delete_parameters(Names=list(delete[first : first + 10]))
    for name, value in parameters.items():
        kind = "SecureString" if "/secret/" in name else "String"
        ssm.put_parameter(Name=name, Value=value, Type=kind, Overwrite=True)


def secret_name(arn: str) -> str:
    """A secret's name from its complete ARN (the name, then `-` and six random characters)."""
    name = arn.split(":secret:", 1)[1].split(":", 1)[0]
    return name[:-7] if len(name) > 7 and name[-7] == "-" else name


def create_existing(
    aws: AwsEmulator,
    template: StackTemplate,
    description: EnvironmentDescription,
    rabbit: RabbitMQ,
) -> None:
    """What the stack only references: cluster, services, secrets, parameters."""
    ecs = aws.admin("ecs")
    ecs.put_account_setting(name="serviceLongArnFormat", value="enabled")
    registry = f"{template.account}.dkr.ecr.{template.region}.{template.url_suffix}"
    # One ECS service may run several of the environment's containers (Spryker's `storeapp`
    # runs Yves and Glue): one task definition with each of them.
    shared: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for target in description.services.values():
        shared.setdefault((target["cluster"], target["service"]), []).append(target)
    for (cluster, service), targets in shared.items():
        ecs.create_cluster(clusterName=cluster)
        role = f"arn:{template.partition}:iam::{template.account}:role/{service}"
        containers: list[dict[str, Any]] = [
            {
                "name": target["container"], "image": f"{registry}/{INITIAL_IMAGE}:none",
                "memory": 512,
                # Optional in the metadata: the container's variables and secrets as they run.
                "environment": [
                    {"name": k, "value": str(v)}
                    for k, v in (target.get("environment") or {}).items()
                ],
                "secrets": [
                    {"name": k, "valueFrom": str(v)}
                    for k, v in (target.get("secrets") or {}).items()
                ],
            }
            for target in targets
        ]  # fmt: skip
        roles = {"taskRoleArn": f"{role}-task"}
        if any(c["secrets"] for c in containers):  # ECS reads secrets with the execution role
            roles["executionRoleArn"] = f"{role}-execution"
        definition = ecs.register_task_definition(
            family=service, containerDefinitions=containers, **roles
        )["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(
            cluster=cluster, serviceName=service, taskDefinition=definition, desiredCount=1
        )
        # moto starts no task; this counts the desired one as running, so the service is
        # stable at once and `aws ecs wait services-stable` returns (no health checks here).
        ecs.update_service(cluster=cluster, service=service, desiredCount=1)
    secrets, ssm = aws.admin("secretsmanager"), aws.admin("ssm")
    created: set[str] = set()
    variables = [
        variable
        for project in template.resources("AWS::CodeBuild::Project").values()
        for variable in template.resolve(project["Properties"]["Environment"]).get(
            "EnvironmentVariables", []
        )
    ]
    # The broker step's variables say which secret is the admin's and which the application's.
    variables.sort(key=lambda v: not v["Name"].startswith("SCCOS_BROKER_"))
    for variable in variables:
        value, kind = variable["Value"], variable.get("Type", "PLAINTEXT")
        if kind == "SECRETS_MANAGER":
            arn = value.rsplit(":", 1)[0] if value.count(":") > 6 else value
            name = secret_name(arn)
            if name in created:
                continue
            created.add(name)
            content = _secret_content(variable["Name"], rabbit)
            secrets.create_secret(Name=name, SecretString=json.dumps(content))
        elif kind == "PARAMETER_STORE" and value not in created:
            created.add(value)
            ssm.put_parameter(Name=value, Value="rehearsal-value", Type="SecureString")


def _secret_content(variable: str, rabbit: RabbitMQ) -> dict[str, str]:
    if variable.startswith("SCCOS_BROKER_ADMIN"):
        return {"username": rabbit.admin_user, "password": rabbit.admin_password}
    if variable.startswith("SCCOS_BROKER_APP"):
        return {"username": APPLICATION_USER, "password": APPLICATION_PASSWORD}
    return {"username": "rehearsal", "password": "rehearsal-secret"}


def image_revision(manifest: str) -> str:
    data = json.loads(manifest)
    body = data.get(REHEARSAL_KEY) or {}
    env = body.get("env") or {}
    return str(env.get("SPRYKER_BUILD_HASH", "?"))


def final_state(
    aws: AwsEmulator, template: StackTemplate, description: EnvironmentDescription,
    rabbit: RabbitMQ,
) -> dict[str, Any]:  # fmt: skip
    """SSM versions, ECR tags per repository (tag -> the image's commit), each service's
    image (`ecs`) and its task definition, container variables, secrets and updates
    (`ecs_services`), and RabbitMQ's vhosts, users and permissions."""
    ssm, ecr = aws.admin("ssm"), aws.admin("ecr")
    versions = {}
    for resource in template.resources("AWS::SSM::Parameter").values():
        name = template.resolve(resource["Properties"])["Name"]
        versions[name] = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    tags: dict[str, dict[str, str]] = {}
    for logical in template.resources("AWS::ECR::Repository"):
        repository = template.physical_name(logical)
        ids = ecr.list_images(repositoryName=repository).get("imageIds", [])
        revisions: dict[str, str] = {}
        for digest in {i["imageDigest"] for i in ids}:
            images = ecr.batch_get_image(
                repositoryName=repository, imageIds=[{"imageDigest": digest}]
            )["images"]  # one entry per tag of the digest
            revisions[digest] = image_revision(images[0]["imageManifest"])
        tags[repository] = {
            i["imageTag"]: revisions[i["imageDigest"]]
            for i in sorted(ids, key=lambda i: i.get("imageTag", ""))
            if "imageTag" in i
        }
    services = ecs_services(aws, description)
    return {
        "ssm": versions,
        "ecr": tags,
        "ecs": {name: service["image"] for name, service in services.items()},
        "ecs_services": services,
        "rabbitmq": rabbit.state(),
    }


def ecs_services(aws: AwsEmulator, description: EnvironmentDescription) -> dict[str, Any]:
    """Per service: `taskDefinition` (family:revision), its container's `image` (repository:tag;
    of a service that runs several of the environment's containers, the first one's, and
    `images`: container -> image of each),
    `environment` (name -> value), `secrets` (name -> valueFrom), and `deployments`: each
    UpdateService that passed, with its step, task definition and forceNewDeployment."""
    ecs = aws.admin("ecs")
    services: dict[str, Any] = {}
    first: dict[str, str] = {}  # service -> the container whose image is `image`
    for target in description.services.values():
        described = ecs.describe_services(cluster=target["cluster"], services=[target["service"]])
        definition = ecs.describe_task_definition(
            taskDefinition=described["services"][0]["taskDefinition"]
        )["taskDefinition"]
        running = {c["name"]: c for c in definition["containerDefinitions"]}
        if target["container"] not in running:  # the deploy replaced the whole task definition
            raise RehearsalError(
                f"service {target['service']} runs {definition['family']}:"
                f"{definition['revision']}, which has no container {target['container']}"
            )
        container = running[target["container"]]
        image = container["image"].rsplit("/", 1)[-1]
        if target["service"] in services:  # a service of several containers (`storeapp`)
            entry = services[target["service"]]
            entry.setdefault("images", {first[target["service"]]: entry["image"]})
            entry["images"][target["container"]] = image
            continue
        first[target["service"]] = target["container"]
        services[target["service"]] = {
            "taskDefinition": f"{definition['family']}:{definition['revision']}",
            "image": image,
            "environment": {e["name"]: e["value"] for e in container.get("environment") or []},
            "secrets": {e["name"]: e["valueFrom"] for e in container.get("secrets") or []},
            "deployments": list(aws.deployments.get(target["service"], [])),
        }
    return services
