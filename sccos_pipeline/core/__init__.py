"""The functional core: plain Python that never imports aws_cdk (shared by CLI and constructs)."""
