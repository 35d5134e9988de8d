"""The IAM and resource policies of one stack, resolved, found the way AWS attaches them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import RehearsalError

if TYPE_CHECKING:
    from .template import StackTemplate

# AWS-managed policies whose documents the rehearsal knows. None is needed yet; an unknown one
# is refused rather than guessed, so no permission is ever assumed.
AWS_MANAGED_POLICIES: dict[str, dict[str, Any]] = {}


class PolicyReader:
    def __init__(self, stack: StackTemplate) -> None:
        self._stack = stack

    def role_policies(self, role: str) -> list[dict[str, Any]]:
        stack = self._stack
        self._require(role, "AWS::IAM::Role")
        documents: list[dict[str, Any]] = []
        for i, inline in enumerate(stack.property_value(role, "Policies", [])):
            if not isinstance(inline, dict) or "PolicyDocument" not in inline:
                raise RehearsalError(f"inline policy {i} of role {role} has no PolicyDocument")
            documents.append(inline["PolicyDocument"])
        role_name = stack.ref(role)
        for policy in stack.resources("AWS::IAM::Policy"):
            if role_name in stack.property_value(policy, "Roles", []):
                documents.append(stack.property_value(policy, "PolicyDocument"))

        managed = {
            stack.ref(policy): policy for policy in stack.resources("AWS::IAM::ManagedPolicy")
        }
        attached = [str(arn) for arn in stack.property_value(role, "ManagedPolicyArns", [])]
        attached += [
            arn
            for arn, policy in managed.items()
            if role_name in stack.property_value(policy, "Roles", [])
        ]
        for arn in dict.fromkeys(attached):
            if arn in managed:
                documents.append(stack.property_value(managed[arn], "PolicyDocument"))
            elif arn in AWS_MANAGED_POLICIES:
                documents.append(AWS_MANAGED_POLICIES[arn])
            else:
                raise RehearsalError(
                    f"role {role} has managed policy {arn}, whose document the rehearsal does "
                    "not know: define the permissions in the stack, or teach "
                    "rehearsal/cloudformation/policies.py that policy"
                )
        return documents

    def trust_policy(self, role: str) -> dict[str, Any]:
        self._require(role, "AWS::IAM::Role")
        document = self._stack.property_value(role, "AssumeRolePolicyDocument")
        if not isinstance(document, dict):
            raise RehearsalError(f"role {role} has no AssumeRolePolicyDocument")
        return document

    def resource_policy(self, arn: str) -> dict[str, Any] | None:
        stack = self._stack
        for bucket in stack.resources("AWS::S3::Bucket"):
            bucket_arn = stack.get_att(bucket, "Arn")
            if arn == bucket_arn or arn.startswith(bucket_arn + "/"):
                return self._only("AWS::S3::BucketPolicy", "Bucket", bucket, stack.ref(bucket))
        for key in stack.resources("AWS::KMS::Key"):
            if arn == stack.get_att(key, "Arn"):
                policy: dict[str, Any] | None = stack.property_value(key, "KeyPolicy")
                return policy
        for topic in stack.resources("AWS::SNS::Topic"):
            if arn == stack.ref(topic):
                return self._only("AWS::SNS::TopicPolicy", "Topics", topic, arn)
        for repository in stack.resources("AWS::ECR::Repository"):
            if arn == stack.get_att(repository, "Arn"):
                policy = stack.property_value(repository, "RepositoryPolicyText")
                return policy
        for role in stack.resources("AWS::IAM::Role"):  # a role's trust is its resource policy
            if arn == stack.get_att(role, "Arn"):
                policy = stack.property_value(role, "AssumeRolePolicyDocument")
                return policy
        return None

    def _only(self, type_: str, prop: str, target: str, value: str) -> dict[str, Any] | None:
        """The one policy of type_ whose prop names value; two would overwrite each other."""
        found = []
        for policy in self._stack.resources(type_):
            named = self._stack.property_value(policy, prop)
            if named == value or (isinstance(named, list) and value in named):
                found.append(policy)
        if len(found) > 1:
            raise RehearsalError(
                f"{', '.join(found)} all set the policy of {target}; AWS keeps only the last "
                "one applied, so the rehearsal cannot tell which: merge them into one"
            )
        if not found:
            return None
        document: dict[str, Any] = self._stack.property_value(found[0], "PolicyDocument")
        return document

    def _require(self, logical_id: str, type_: str) -> None:
        actual = self._stack.resource(logical_id).get("Type")
        if actual != type_:
            raise RehearsalError(f"{logical_id} is a {actual}, not an {type_}")
