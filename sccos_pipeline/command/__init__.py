"""The parts of `sccos-pipeline` besides its parser: options and configuration, where deploy
files come from (paths, directories, a git base), and output formats. Core only, never CDK."""
