"""The rehearsal: run one execution of a synthesized pipeline on this machine.

It reads the cloud assembly (`cdk.out`) and never imports aws_cdk: what it runs is exactly the
template `cdk deploy` would ship. AWS APIs are served by moto, every call is authorized against
the template's own IAM policies, RabbitMQ is real, and tools this machine cannot run are
stand-ins that record their calls.
"""
