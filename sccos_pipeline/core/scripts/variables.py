"""Which Parameter Store parameter each of a service's variables comes from.

Spryker keeps customer variables at /{project}/{environment}/{type}/{bucket}/{grant}/{name}
and, for a name declared more than once, applies the one of highest priority: secret over
config, the service's bucket over common, public over limited. Reserved names (SPRYKER_* and
a fixed list) are never customer variables.
https://docs.spryker.com/docs/ca/dev/add-variables-in-the-parameter-store.html

Usage: python3 -c "$(text)" TREE BUCKET
  TREE is /{project}/{environment}; BUCKET is app, scheduler, pipeline or common.
  Prints JSON {name: parameter ARN}; problems go to stderr, one a line, with exit status 1.

Stdlib-only (Python 3.8+): it calls the AWS CLI, v1 or v2, since the system python of
CodeBuild's standard image has no boto3. Buildspecs embed script_text(), which inlines the
sibling modules it imports.
"""

from __future__ import annotations

import json
import sys

from .parameter_store import ScriptError, tree_variables


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: variables.py TREE BUCKET", file=sys.stderr)
        return 2
    try:
        resolved = tree_variables(args[0], args[1])
    except ScriptError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(json.dumps(resolved, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
