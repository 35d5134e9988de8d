"""One stack of a cloud assembly, with its template resolved to concrete names and ARNs.

A small resolver of our own, because the maintained ones leave resource Refs unresolved
(cfn-lint), render GetAtt as "Logical.Attr" (cloud-radar) or need moto's backends to create
the resources first. Names CloudFormation would generate are derived from a hash of account,
region, stack and logical id: the same template always gets the same names.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...core.naming import partition_of
from ..errors import RehearsalError
from .intrinsics import PSEUDO_PARAMETERS, Evaluator
from .policies import PolicyReader

STACK_ARTIFACT = "aws:cloudformation:stack"
_SYNTH = "run `make synth` (or `cdk synth`) first"
_ENVIRONMENT = re.compile(r"^aws://(\d{12})/([a-z]{2}(?:-[a-z]+)+-\d)$")
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

# The property that names a resource, and the longest name its service accepts.
NAME_PROPERTIES: dict[str, tuple[str, int]] = {
    "AWS::IAM::Role": ("RoleName", 64),
    "AWS::IAM::Policy": ("PolicyName", 128),
    "AWS::IAM::ManagedPolicy": ("ManagedPolicyName", 128),
    "AWS::S3::Bucket": ("BucketName", 63),
    "AWS::KMS::Alias": ("AliasName", 256),
    "AWS::SNS::Topic": ("TopicName", 256),
    "AWS::SSM::Parameter": ("Name", 1011),
    "AWS::CodeBuild::Project": ("Name", 150),
    "AWS::CodePipeline::Pipeline": ("Name", 100),
    "AWS::Logs::LogGroup": ("LogGroupName", 512),
    "AWS::ECR::Repository": ("RepositoryName", 256),
    "AWS::EC2::SecurityGroup": ("GroupName", 255),
    "AWS::SecretsManager::Secret": ("Name", 512),
    "AWS::CodeStarNotifications::NotificationRule": ("Name", 64),
    "AWS::Events::Rule": ("Name", 64),
    "AWS::Lambda::Function": ("FunctionName", 64),
    "AWS::Lambda::Alias": ("Name", 128),
    "AWS::SQS::Queue": ("QueueName", 80),
    "AWS::ECS::Cluster": ("ClusterName", 255),
}
# S3 and ECR accept lower-case names only.
LOWER_CASE_NAMES = {"AWS::S3::Bucket", "AWS::ECR::Repository"}


def load_stack(cdk_out: Path, stack: str) -> StackTemplate:
    """The stack `stack` (artifact id, stack name or display name) of the assembly in cdk_out."""
    if not cdk_out.is_dir():
        raise RehearsalError(f"cloud assembly folder {cdk_out} does not exist: {_SYNTH}")
    manifest_path = cdk_out / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        artifacts = manifest["artifacts"]
        if not isinstance(artifacts, dict):
            raise TypeError("artifacts is not an object")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RehearsalError(
            f"{cdk_out} is not a cloud assembly (no valid manifest.json: {exc}): "
            "run `make synth` / cdk synth"
        ) from None
    stacks = {
        artifact_id: artifact
        for artifact_id, artifact in artifacts.items()
        if isinstance(artifact, dict) and artifact.get("type") == STACK_ARTIFACT
    }
    for artifact_id, artifact in stacks.items():
        name = _stack_name(artifact_id, artifact)
        if stack in {artifact_id, name, artifact.get("displayName")}:
            return _read_stack(cdk_out, name, artifact)
    known = ", ".join(sorted(_stack_name(a, s) for a, s in stacks.items())) or "none"
    raise RehearsalError(
        f"no stack {stack!r} in {cdk_out}; it has: {known}. "
        "Pass one of those, or synthesize the environment that defines it"
    )


def _stack_name(artifact_id: str, artifact: dict[str, Any]) -> str:
    name = (artifact.get("properties") or {}).get("stackName")
    return str(name) if name else artifact_id


def _read_stack(cdk_out: Path, name: str, artifact: dict[str, Any]) -> StackTemplate:
    environment = str(artifact.get("environment", ""))
    match = _ENVIRONMENT.match(environment)
    if match is None:
        raise RehearsalError(
            f"stack {name} is environment-agnostic ({environment or 'no environment'}): the "
            "rehearsal needs its account and region; set both for it in cdk.json and synthesize"
        )
    template_file = (artifact.get("properties") or {}).get("templateFile")
    path = cdk_out / str(template_file)
    try:
        template = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RehearsalError(f"cannot read the template of {name} ({exc}): {_SYNTH}") from None
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise RehearsalError(f"{path} is not a CloudFormation template with Resources: {_SYNTH}")
    account, region = match.groups()
    return StackTemplate(name, account, region, partition_of(region), template)


@dataclass
class StackTemplate:
    name: str
    account: str
    region: str
    partition: str = "aws"
    template: dict[str, Any] = field(default_factory=dict)
    # Values for Parameters; the others take their Default.
    parameters: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._evaluator = Evaluator(self)
        self._names: dict[str, str] = {}
        self._naming: set[str] = set()
        self._policies = PolicyReader(self)

    # --- the template ---------------------------------------------------------------------
    def resources(self, type_: str) -> dict[str, dict[str, Any]]:
        """The stack's resources of one type, by logical id, as written in the template."""
        return {
            logical_id: resource
            for logical_id, resource in self.template["Resources"].items()
            if resource.get("Type") == type_
        }

    def resource(self, logical_id: str) -> dict[str, Any]:
        resource = self.template["Resources"].get(logical_id)
        if not isinstance(resource, dict):
            raise RehearsalError(f"stack {self.name} has no resource {logical_id!r}")
        return resource

    def resolve(self, value: Any, where: str = "") -> Any:
        """value with every intrinsic function replaced by what it means in this stack."""
        return self._evaluator.resolve(value, where)

    def property_value(self, logical_id: str, name: str, default: Any = None) -> Any:
        """One resolved property of a resource."""
        properties = self.resource(logical_id).get("Properties") or {}
        if name not in properties:
            return default
        return self.resolve(properties[name], f"Resources/{logical_id}/Properties/{name}")

    def pseudo_parameter(self, name: str) -> Any:
        values = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::StackName": self.name,
            "AWS::StackId": f"arn:{self.partition}:cloudformation:{self.region}:{self.account}"
            f":stack/{self.name}/{self._uuid('AWS::StackId')}",
            "AWS::NotificationARNs": [],
        }
        if name not in values:
            known = ", ".join(PSEUDO_PARAMETERS)
            raise RehearsalError(f"unknown pseudo parameter {name}; CloudFormation has {known}")
        return values[name]

    def parameter(self, name: str) -> Any:
        declared = (self.template.get("Parameters") or {}).get(name) or {}
        if name in self.parameters:
            value = self.parameters[name]
        elif "Default" in declared:
            # An SSM-typed parameter (CDK's BootstrapVersion) yields its default, the SSM name.
            value = declared["Default"]
        else:
            raise RehearsalError(f"parameter {name} of stack {self.name} has no value or Default")
        if str(declared.get("Type", "")).startswith(("List<", "CommaDelimitedList")):
            return value if isinstance(value, list) else str(value).split(",")
        return value

    @property
    def url_suffix(self) -> str:
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"

    # --- names ----------------------------------------------------------------------------
    def physical_name(self, logical_id: str) -> str:
        """The resource's explicit name, else a deterministic one as CloudFormation makes it."""
        if logical_id in self._names:
            return self._names[logical_id]
        type_ = self.resource(logical_id).get("Type", "")
        prop, limit = NAME_PROPERTIES.get(type_, ("", 255))
        if logical_id in self._naming:
            raise RehearsalError(f"the name of {logical_id} refers to itself")
        self._naming.add(logical_id)
        try:
            explicit = self.property_value(logical_id, prop) if prop else None
        finally:
            self._naming.discard(logical_id)
        if explicit is not None:
            name = str(explicit)
        else:
            budget = limit - 13
            stack_part = self.name
            if len(stack_part) + 1 + len(logical_id) > budget:
                stack_part = stack_part[: budget // 2]
            name = f"{stack_part}-{logical_id}"[:budget] + "-" + self._code(logical_id, 12)
            if type_ == "AWS::KMS::Alias":
                name = f"alias/{name}"
            if type_ in LOWER_CASE_NAMES:
                name = name.lower()
        self._names[logical_id] = name
        return name

    def ref(self, logical_id: str) -> str:
        """What `Ref` returns for the resource, per its type."""
        type_ = self.resource(logical_id).get("Type", "")
        arn = self._arn
        name = self.physical_name
        refs = {
            "AWS::IAM::ManagedPolicy": lambda: self._iam_arn("policy", logical_id),
            "AWS::KMS::Key": lambda: self._uuid(logical_id),
            "AWS::SNS::Topic": lambda: arn("sns", name(logical_id)),
            "AWS::EC2::SecurityGroup": lambda: "sg-" + self._digest(logical_id).hex()[:17],
            "AWS::SecretsManager::Secret": lambda: arn(
                "secretsmanager", f"secret:{name(logical_id)}-{self._code(logical_id, 6)}"
            ),
            "AWS::SNS::Subscription": lambda: (
                f"{self.property_value(logical_id, 'TopicArn')}:{self._uuid(logical_id)}"
            ),
            "AWS::CodeStarNotifications::NotificationRule": lambda: arn(
                "codestar-notifications",
                f"notificationrule/{self._digest(logical_id).hex()[:40]}",
            ),
            "AWS::SQS::Queue": lambda: (
                f"https://sqs.{self.region}.{self.url_suffix}/{self.account}/{name(logical_id)}"
            ),
        }
        make = refs.get(type_)
        return make() if make else name(logical_id)

    def get_att(self, logical_id: str, attribute: str) -> str:
        """What `Fn::GetAtt` returns for the resource's attribute, per its type."""
        type_ = self.resource(logical_id).get("Type", "")
        arn = self._arn
        name = self.physical_name(logical_id)
        suffix = self.url_suffix
        attributes: dict[str, dict[str, Any]] = {
            "AWS::IAM::Role": {
                "Arn": lambda: self._iam_arn("role", logical_id),
                "RoleId": lambda: "AROA" + self._code(logical_id, 17),
            },
            "AWS::IAM::ManagedPolicy": {
                "PolicyArn": lambda: self._iam_arn("policy", logical_id),
                "PolicyId": lambda: "ANPA" + self._code(logical_id, 17),
            },
            "AWS::S3::Bucket": {
                "Arn": lambda: f"arn:{self.partition}:s3:::{name}",
                "DomainName": lambda: f"{name}.s3.{suffix}",
                "RegionalDomainName": lambda: f"{name}.s3.{self.region}.{suffix}",
                "DualStackDomainName": lambda: f"{name}.s3.dualstack.{self.region}.{suffix}",
            },
            "AWS::KMS::Key": {
                "Arn": lambda: arn("kms", f"key/{self.ref(logical_id)}"),
                "KeyId": lambda: self.ref(logical_id),
            },
            "AWS::SNS::Topic": {
                "TopicArn": lambda: self.ref(logical_id),
                "TopicName": lambda: name,
            },
            "AWS::SSM::Parameter": {
                "Type": lambda: self.property_value(logical_id, "Type", "String"),
                "Value": lambda: self.property_value(logical_id, "Value"),
            },
            "AWS::CodeBuild::Project": {"Arn": lambda: arn("codebuild", f"project/{name}")},
            "AWS::CodePipeline::Pipeline": {"Version": lambda: "1"},
            "AWS::Logs::LogGroup": {"Arn": lambda: arn("logs", f"log-group:{name}:*")},
            "AWS::ECR::Repository": {
                "Arn": lambda: arn("ecr", f"repository/{name}"),
                "RepositoryUri": lambda: f"{self.account}.dkr.ecr.{self.region}.{suffix}/{name}",
            },
            "AWS::EC2::SecurityGroup": {
                "GroupId": lambda: self.ref(logical_id),
                "VpcId": lambda: self.property_value(logical_id, "VpcId"),
            },
            "AWS::SecretsManager::Secret": {"Id": lambda: self.ref(logical_id)},
            "AWS::CodeStarNotifications::NotificationRule": {"Arn": lambda: self.ref(logical_id)},
            "AWS::Events::Rule": {"Arn": lambda: arn("events", f"rule/{name}")},
            "AWS::Lambda::Function": {"Arn": lambda: arn("lambda", f"function:{name}")},
            "AWS::SQS::Queue": {
                "Arn": lambda: arn("sqs", name),
                "QueueName": lambda: name,
                "QueueUrl": lambda: self.ref(logical_id),
            },
        }
        make = attributes.get(type_, {}).get(attribute)
        if make is None:
            known = ", ".join(attributes.get(type_, {})) or "none"
            raise RehearsalError(
                f"Fn::GetAtt {logical_id}.{attribute}: the rehearsal knows no attribute "
                f"{attribute!r} of {type_} (it knows: {known})"
            )
        return str(make())

    # --- policies -------------------------------------------------------------------------
    def role_policies(self, role_logical_id: str) -> list[dict[str, Any]]:
        """The role's resolved identity policies: inline, attached and managed."""
        return self._policies.role_policies(role_logical_id)

    def role_by_arn(self, arn: str) -> str | None:
        """The logical id of the role with that ARN, if this stack defines it."""
        for logical_id in self.resources("AWS::IAM::Role"):
            if self.get_att(logical_id, "Arn") == arn:
                return logical_id
        return None

    def trust_policy(self, role_logical_id: str) -> dict[str, Any]:
        return self._policies.trust_policy(role_logical_id)

    def resource_policy(self, arn: str) -> dict[str, Any] | None:
        """The resolved resource policy on a bucket (or object in it), key, topic or repository."""
        return self._policies.resource_policy(arn)

    # --- derived identifiers --------------------------------------------------------------
    def _arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"

    def _iam_arn(self, kind: str, logical_id: str) -> str:
        path = self.property_value(logical_id, "Path", "/")
        name = self.physical_name(logical_id)
        return f"arn:{self.partition}:iam::{self.account}:{kind}{path}{name}"

    def _digest(self, logical_id: str) -> bytes:
        key = f"{self.account}/{self.region}/{self.name}/{logical_id}"
        return hashlib.sha256(key.encode()).digest()

    def _code(self, logical_id: str, length: int) -> str:
        """length upper-case letters and digits, fixed per resource."""
        return "".join(_ALNUM[byte % len(_ALNUM)] for byte in self._digest(logical_id)[:length])

    def _uuid(self, logical_id: str) -> str:
        return str(uuid.UUID(bytes=self._digest(logical_id)[:16], version=4))
