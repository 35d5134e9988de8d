"""The ECR repositories' lifecycle policy: rollback targets are never expired.

ECR evaluates a policy's rules by priority, and "an image that matches the tagging requirements
of a higher priority rule cannot be expired by a rule with a lower priority"
(https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html#lp_evaluation_rules).
So the rules on the tags the pipeline puts come first: the running version (`sccos-deployed`),
the version last prepared for deployment (`sccos-desired`), the last N deployed versions
(`sccos-deployed-<version>`), and only then the catch-all count.
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import assertions

from tests.cdk.support import environment, new_stack


def policy(keep_deployed: int) -> dict[str, Any]:
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": "the running version (sccos-deployed): never expired",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["sccos-deployed"],
                    "countType": "imageCountMoreThan",
                    "countNumber": 1,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": "the version last prepared for deployment (sccos-desired): "
                "never expired",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["sccos-desired"],
                    "countType": "imageCountMoreThan",
                    "countNumber": 1,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 3,
                "description": f"the last {keep_deployed} deployed versions "
                "(sccos-deployed-<version>)",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPrefixList": ["sccos-deployed-"],
                    "countType": "imageCountMoreThan",
                    "countNumber": keep_deployed,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 4,
                "description": "any other image: the last 200",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": 200,
                },
                "action": {"type": "expire"},
            },
        ]
    }


REPOSITORIES = [
    "spryker-demo-staging-boffice_eu",
    "spryker-demo-staging-backgw_eu",
    "spryker-demo-staging-yves_eu",
    "spryker-demo-staging-glue_eu",
    "spryker-demo-staging-frontend",
    "spryker-demo-staging-jenkins",
    "spryker-demo-staging-pipeline",
]


@pytest.mark.parametrize(("given", "kept"), [({}, 20), ({"keep_deployed_versions": 5}, 5)])
def test_every_repository_keeps_the_running_the_desired_and_the_last_deployed_versions(
    given: dict[str, Any], kept: int
) -> None:
    stack = new_stack()
    environment(stack, **given)
    template = assertions.Template.from_stack(stack)
    template.resource_count_is("AWS::ECR::Repository", len(REPOSITORIES))
    for name in REPOSITORIES:
        template.has_resource_properties(
            "AWS::ECR::Repository",
            {
                "RepositoryName": name,
                "LifecyclePolicy": {
                    "LifecyclePolicyText": assertions.Match.serialized_json(policy(kept))
                },
            },
        )


@pytest.mark.parametrize("bad", [0, -1])
def test_keeping_no_deployed_version_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="keep_deployed_versions"):
        environment(new_stack(), keep_deployed_versions=bad)
