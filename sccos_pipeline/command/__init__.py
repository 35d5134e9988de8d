"""The commands of `sccos-pipeline`, one module each (`validate`, `buildspec`, `plan`; `rehearse`
is the rehearsal's own), and their parts: options and configuration, where deploy files come
from (paths, directories, a git base), and output formats. Core only, never CDK."""
