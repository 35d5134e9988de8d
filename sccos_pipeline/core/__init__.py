"""The functional core: plain Python, never imports aws_cdk (the CLI and the constructs share it)."""
