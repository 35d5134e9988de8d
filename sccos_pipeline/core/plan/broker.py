"""Configure_RabbitMQ_Vhosts_and_Permissions: the broker connections the Docker SDK makes,
created (or, in a destructive run, reset) through the RabbitMQ management API."""

from __future__ import annotations

import shlex
from typing import Any
from urllib.parse import quote

from ..deployfile.model import DeployModel
from .shell import spec


def broker_vhosts(model: DeployModel) -> tuple[str, ...]:
    """The RabbitMQ vhosts the Docker SDK connects to: one per store, and one per region for
    dynamic-store deploy files; in order, each once."""
    namespaces = [s.broker_namespace for s in model.stores if s.broker_namespace]
    namespaces += [r.namespace for r in model.region_brokers]
    return tuple(dict.fromkeys(namespaces))


# The user's JSON is built by a JSON encoder: a `"` or `\\` in a password must not break it.
_USER_BODY = (
    "python3 -c 'import json, os; print(json.dumps("
    '{"password": os.environ["SCCOS_BROKER_APP_PASSWORD"], "tags": ""}))\''
)


def broker_buildspec(model: DeployModel) -> dict[str, Any]:
    """Configure_RabbitMQ_Vhosts_and_Permissions through the RabbitMQ management API.

    Needs SCCOS_BROKER_API, SCCOS_BROKER_ADMIN_USER/PASSWORD and SCCOS_BROKER_APP_USER/PASSWORD
    (the passwords from Secrets Manager); SPRYKER_PIPELINE_TYPE=destructive resets each vhost.
    """
    vhosts = broker_vhosts(model)
    if not vhosts:
        return spec(['echo "The deploy file names no broker namespaces; nothing to configure"'])
    script = [
        "set -euo pipefail",
        "api() {",
        "  curl --fail --silent --show-error \\",
        '    -u "$SCCOS_BROKER_ADMIN_USER:$SCCOS_BROKER_ADMIN_PASSWORD" \\',
        "    -H 'content-type: application/json' \"$@\"",
        "}",
        'user=$(printf %s "$SCCOS_BROKER_APP_USER" | python3 -c '
        "'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read(), safe=\"\"))')",
        f'{_USER_BODY} | api -X PUT "$SCCOS_BROKER_API/api/users/$user" -d @-',
    ]
    for vhost in vhosts:
        url = f'"$SCCOS_BROKER_API/api/vhosts/{quote(vhost, safe="")}"'
        permissions = f'"$SCCOS_BROKER_API/api/permissions/{quote(vhost, safe="")}/$user"'
        script += [
            f"echo {shlex.quote('vhost ' + vhost)}",
            f'if [ "$SPRYKER_PIPELINE_TYPE" = destructive ]; then api -X DELETE {url} || true; fi',
            f"api -X PUT {url}",
            f'api -X PUT {permissions} -d \'{{"configure":".*","write":".*","read":".*"}}\'',
        ]
    return spec(["\n".join(script)])
