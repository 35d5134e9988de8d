"""AWS for the rehearsal: moto in server mode behind a proxy that authorizes every call.

Each role of the template gets its own access key. The AWS CLI in a buildspec reaches the
proxy through AWS_ENDPOINT_URL; the proxy reads who signed the request (the access key in its
`Authorization` header), maps the request to IAM actions and resources (`calls`), asks the
authorizer about each against the policies the template gives that role, and only then
forwards it to moto. A denied call gets AWS's own AccessDeniedError answer; a call the rehearsal
cannot map fails closed. CodePipeline's API is answered by the rehearsal itself, which is the
CodePipeline here.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from ..errors import RehearsalError
from .calls import JSON_TARGETS, Request, UnmappedError, accesses
from .gate import Call, Caller, Gate

_CREDENTIAL = re.compile(r"Credential=([A-Z0-9]+)/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")


# The request header moto reads the account from (before the access key's owner).
MOTO_ACCOUNT_HEADER = "x-moto-account-id"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ApiError(Exception):
    """An error answer of a service the rehearsal serves itself, e.g. CodePipeline's
    `PipelineExecutionNotFoundException`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# Serves one operation: (operation, params, caller) -> the answer; raises ApiError.
LocalHandler = Callable[[str, Mapping[str, Any], Caller], dict[str, Any]]


class _Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        gate: Gate,
        moto_port: int,
        local: Mapping[str, LocalHandler],
        enrich: Callable[[Request], Request],
        observe: Callable[[Caller, Request, int, bytes], None],
    ) -> None:
        super().__init__(("127.0.0.1", free_port()), _Handler)
        self.enrich = enrich
        self.observe = observe
        self.gate = gate
        self.moto_port = moto_port
        self.local = local


class _Handler(BaseHTTPRequestHandler):
    server: _Proxy

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: every call is in the report instead."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        found = _CREDENTIAL.search(self.headers.get("Authorization", ""))
        gate = self.server.gate
        caller = gate.caller(found.group(1)) if found else None
        target = self.headers.get("X-Amz-Target", "")
        if found is None or caller is None:
            self._deny_unknown(target)
            return
        region, signing_name = found.group(2), found.group(3)
        request = self.server.enrich(
            _parse(target, signing_name, body, region, gate.template.account)
        )
        operation = f"{request.service} {request.operation}"
        try:
            questions = accesses(request)
        except UnmappedError as exc:
            message = (
                f"the rehearsal cannot map {operation} to an IAM action and resource ({exc}); "
                "it fails closed"
            )
            gate.record(
                Call(caller.step, caller.role_arn, operation, "?", "?", "Unmapped", message)
            )
            self._error(target, "RehearsalUnmappedCall", message)
            return
        for access in questions:
            decision = gate.authorize(caller.step, caller.role_arn, operation, access)
            if not decision.allowed:
                code = "AccessDeniedException" if target else "AuthorizationError"
                self._error(target, code, decision.explanation)
                return
        handler = self.server.local.get(request.service)
        if handler is not None:
            try:
                answer = handler(request.operation, request.params, caller)
            except ApiError as exc:
                self._error(target, exc.code, exc.message)
                return
            self._send(200, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(answer))
            return
        self._forward(body, caller, request)

    def _forward(self, body: bytes, caller: Caller, request: Request) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.moto_port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        headers["Host"] = f"127.0.0.1:{self.server.moto_port}"
        # moto serves the stack's account, not its default one (123456789012), whatever key
        # signed the request: every role of the template is of the stack's account.
        headers[MOTO_ACCOUNT_HEADER] = self.server.gate.template.account
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        skip = {"transfer-encoding", "connection", "content-length"}
        passed = {k: v for k, v in response.getheaders() if k.lower() not in skip}
        self.server.observe(caller, request, response.status, payload)
        self._send(response.status, passed, payload)

    def _send(self, status: int, headers: Mapping[str, str], payload: bytes | str) -> None:
        data = payload.encode() if isinstance(payload, str) else payload
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _error(self, target: str, code: str, message: str) -> None:
        if target:  # JSON protocol
            body = json.dumps({"__type": code, "message": message})
            self._send(400, {"Content-Type": "application/x-amz-json-1.1"}, body)
            return
        escaped = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        xml = (
            "<ErrorResponse><Error><Type>Sender</Type>"
            f"<Code>{code}</Code><Message>{escaped}</Message></Error>"
            "<RequestId>rehearsal</RequestId></ErrorResponse>"
        )
        self._send(403, {"Content-Type": "text/xml"}, xml)

    def _deny_unknown(self, target: str) -> None:
        self._error(
            target,
            "UnrecognizedClientException",
            "The security token included in the request is invalid (not a role of this rehearsal)",
        )


def _parse(target: str, signing_name: str, body: bytes, region: str, account: str) -> Request:
    if target:
        prefix, _, operation = target.partition(".")
        service = JSON_TARGETS.get(prefix, prefix)
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = {}
        return Request(service, operation, params if isinstance(params, dict) else {}, region,
                       account)  # fmt: skip
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    return Request(signing_name, form.pop("Action", "?"), form, region, account)


class AwsEmulator:
    """moto on one port, the authorizing proxy on another; both stopped by `close`."""

    def __init__(self, gate: Gate, local: Mapping[str, LocalHandler]) -> None:
        import logging  # noqa: PLC0415

        from moto.server import ThreadedMotoServer  # noqa: PLC0415 - heavy; only when rehearsing

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the report lists every call

        self.gate = gate
        self.moto_port = free_port()
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        try:
            self._moto.start()
        except OSError as exc:
            raise RehearsalError(f"moto could not start on port {self.moto_port}: {exc}") from None
        # moto keeps its state per process: a rehearsal starts from an empty account.
        import urllib.request  # noqa: PLC0415

        reset = urllib.request.Request(f"{self.moto_endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(reset, timeout=30):
            pass
        # Per ECS service name, each UpdateService that passed: what a report shows of deploys.
        self.deployments: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._proxy = _Proxy(gate, self.moto_port, local, self._enrich, self._observe)
        self._thread = threading.Thread(target=self._proxy.serve_forever, daemon=True)
        self._thread.start()
        self.region = gate.template.region
        self.account = gate.template.account

    def _enrich(self, request: Request) -> Request:
        """What IAM needs to know that the request does not say, asked of moto."""
        if request.service == "ecs" and request.operation == "RegisterTaskDefinition":
            family = str(request.params.get("family", ""))
            known = self.admin("ecs").list_task_definitions(familyPrefix=family)
            revisions = [int(a.rsplit(":", 1)[1]) for a in known["taskDefinitionArns"]
                         if a.rsplit(":", 1)[0].endswith(f"/{family}")]  # fmt: skip
            params = {**request.params, "_revision": max(revisions, default=0) + 1}
            return Request(request.service, request.operation, params, request.region,
                           request.account)  # fmt: skip
        return request

    def _observe(self, caller: Caller, request: Request, status: int, payload: bytes) -> None:
        """Record a service update (moto only renames its deployment when one is forced)."""
        if (request.service, request.operation, status) != ("ecs", "UpdateService", 200):
            return
        service = json.loads(payload)["service"]
        entry = {
            "step": caller.step,
            "taskDefinition": str(service["taskDefinition"]).rsplit("/", 1)[-1],
            "forceNewDeployment": bool(request.params.get("forceNewDeployment")),
        }
        with self._lock:
            self.deployments.setdefault(str(service["serviceName"]), []).append(entry)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._proxy.server_address[1]}"

    @property
    def moto_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    def admin(self, service: str) -> Any:
        """A client straight to moto, for setting up the world and reading its final state."""
        import boto3  # noqa: PLC0415

        client = boto3.client(
            service,
            endpoint_url=self.moto_endpoint,
            region_name=self.region,
            aws_access_key_id="admin",
            aws_secret_access_key="admin",
        )
        account = self.account

        def in_account(request: Any, **_: Any) -> None:
            request.headers[MOTO_ACCOUNT_HEADER] = account

        client.meta.events.register("before-sign", in_account)
        return client

    def as_role(self, service: str, role_arn: str, step: str) -> Any:
        """A client that calls through the proxy as `role_arn`, like a deploy action does."""
        import boto3  # noqa: PLC0415

        keys = self.gate.credentials(role_arn, step)
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
        )

    def cli_environment(self, role_arn: str, step: str) -> dict[str, str]:
        return {
            **self.gate.credentials(role_arn, step),
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_PAGER": "",
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._proxy.shutdown()
            self._proxy.server_close()
        with contextlib.suppress(Exception):
            self._moto.stop()


@contextlib.contextmanager
def emulated_aws(gate: Gate, local: Mapping[str, LocalHandler]) -> Iterator[AwsEmulator]:
    emulator = AwsEmulator(gate, local)
    try:
        yield emulator
    finally:
        emulator.close()
