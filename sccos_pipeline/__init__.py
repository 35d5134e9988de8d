"""sccos_pipeline: Spryker Cloud Commerce OS deployment pipelines as AWS CDK constructs."""
