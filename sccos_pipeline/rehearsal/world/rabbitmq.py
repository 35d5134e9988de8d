"""A real RabbitMQ for the rehearsal: Debian's rabbitmq-server, private to one run.

Each instance gets free ports (AMQP, management, Erlang distribution and its own epmd), a unique
node name and a temp folder for its data, config and logs, so several can run at once beside a
system RabbitMQ. Only loopback is listened on. `stop()` ends the server and its epmd and is also
run at exit and on SIGTERM, so an interrupted rehearsal leaves nothing running.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import functools
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import FrameType
from typing import Any

from sccos_pipeline.rehearsal.errors import RehearsalError

START_TIMEOUT = 60.0
STOP_GRACE = 2.0
SERVICE_USER = "rabbitmq"
INSTALL_HINT = "run `make setup` or `apt-get install rabbitmq-server`"

_running: set[RabbitMQ] = set()
_lock = threading.Lock()


def _server_script() -> Path:
    """The real start script: Debian's /usr/sbin wrapper would `su` and hide the process tree."""
    candidates = [Path("/usr/lib/rabbitmq/bin/rabbitmq-server")]
    found = shutil.which("rabbitmq-server")
    candidates += [Path(found)] if found else []
    candidates.append(Path("/usr/sbin/rabbitmq-server"))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise RehearsalError(f"RabbitMQ is not installed; {INSTALL_HINT}")


def _epmd() -> str:
    found = shutil.which("epmd") or "/usr/lib/erlang/bin/epmd"
    if not os.access(found, os.X_OK):
        raise RehearsalError(f"Erlang's epmd is missing, so RabbitMQ cannot run; {INSTALL_HINT}")
    return found


def _free_ports(count: int) -> list[int]:
    """Distinct free loopback ports: all sockets stay bound until every port is chosen."""
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _family(roots: set[int]) -> list[int]:
    """Live processes (zombies left out) descending from roots: Erlang's port helpers call
    setsid, so sessions alone would miss them."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the parenthesised command: state ppid ...
        fields = stat[stat.rfind(")") + 2 :].split()
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    family = {pid for pid in roots if pid in parents}
    grew = True
    while grew:
        children = {pid for pid, ppid in parents.items() if ppid in family} - family
        family |= children
        grew = bool(children)
    return sorted(family)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class RabbitMQ:
    """One private RabbitMQ server; a context manager, or `start()` then `stop()`."""

    def __init__(self, *, workdir: Path | None = None, management_port: int | None = None) -> None:
        self.workdir = workdir
        self.requested_port = management_port
        self.admin_user = "rehearsal-admin"
        self.admin_password = secrets.token_urlsafe(18)
        self.node_name = ""
        self.ports: dict[str, int] = {}
        self.api_url = ""
        self.folder: Path | None = None
        self._server: subprocess.Popen[bytes] | None = None
        self._epmd: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> RabbitMQ:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        if self._server is not None:
            return
        script, epmd = _server_script(), _epmd()
        if self.requested_port is not None and port_in_use(self.requested_port):
            raise RehearsalError(
                f"port {self.requested_port} is in use; choose another management port or leave "
                f"it out to get a free one (`ss -ltnp 'sport = :{self.requested_port}'` shows who "
                "holds it)"
            )
        amqp, dist, epmd_port, free_api = _free_ports(4)
        api = self.requested_port or free_api
        self.ports = {"amqp": amqp, "management": api, "dist": dist, "epmd": epmd_port}
        self.api_url = f"http://127.0.0.1:{api}"
        self.node_name = f"rehearsal-{os.getpid()}-{secrets.token_hex(4)}@localhost"
        _install_hooks()
        with _lock:
            _running.add(self)
        try:
            env = self._prepare_folder()
            self._epmd = self._spawn(
                [epmd, "-port", str(epmd_port), "-address", "127.0.0.1"], env, "epmd.log"
            )
            self._wait_for_port(epmd_port, self._epmd, "epmd")
            self._server = self._spawn([str(script)], env, "console.log")
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """End the server and its epmd; safe to call twice, and from exit hooks.

        The VM first, epmd once nothing of the VM is left: a VM still booting when its epmd
        goes starts an `epmd -daemon` of its own, which leaves the family and outlives us."""
        for proc in (self._server, self._epmd):
            if proc is not None:
                _end(proc)
        self._server = self._epmd = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        with _lock:
            _running.discard(self)

    def pids(self) -> list[int]:
        """Every live process of this instance: start script, Erlang VM and its helpers, epmd."""
        return _family({p.pid for p in (self._server, self._epmd) if p is not None})

    # -- management API ---------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Call the management API as the admin user; `path` starts after /api."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.api_url}/api{path}", data=data, method=method)
        token = base64.b64encode(f"{self.admin_user}:{self.admin_password}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise RehearsalError(
                f"RabbitMQ answered {error.code} to {method} /api{path}: {detail}"
            ) from None
        except OSError as error:
            raise RehearsalError(
                f"RabbitMQ at {self.api_url} did not answer {method} /api{path}: {error}"
            ) from None
        return json.loads(raw) if raw else None

    def state(self) -> dict[str, Any]:
        """Vhosts, users and permissions as plain sorted data, for comparing with a template."""
        users = []
        for user in self.request("GET", "/users"):
            tags = user.get("tags") or []
            # Older servers send tags as one comma-separated string.
            tags = [t for t in tags.split(",") if t] if isinstance(tags, str) else tags
            users.append({"name": user["name"], "tags": sorted(tags)})
        permissions = [
            {key: item[key] for key in ("user", "vhost", "configure", "write", "read")}
            for item in self.request("GET", "/permissions")
        ]
        return {
            "vhosts": sorted(v["name"] for v in self.request("GET", "/vhosts")),
            "users": sorted(users, key=lambda u: u["name"]),
            "permissions": sorted(permissions, key=lambda p: (p["user"], p["vhost"])),
        }

    # -- internals --------------------------------------------------------------------------

    def _prepare_folder(self) -> dict[str, str]:
        base = self.workdir or Path(tempfile.gettempdir())
        base.mkdir(parents=True, exist_ok=True)
        self.folder = folder = Path(tempfile.mkdtemp(prefix="sccos-rabbitmq-", dir=base))
        for name in ("data", "log", "conf.d"):
            (folder / name).mkdir()
        (folder / "enabled_plugins").write_text("[rabbitmq_management].\n")
        (folder / "rabbitmq-env.conf").write_text("")
        (folder / "rabbitmq.conf").write_text(
            "\n".join(
                [
                    f"listeners.tcp.1 = 127.0.0.1:{self.ports['amqp']}",
                    "management.tcp.ip = 127.0.0.1",
                    f"management.tcp.port = {self.ports['management']}",
                    f"default_user = {self.admin_user}",
                    f"default_pass = {self.admin_password}",
                    "default_user_tags.administrator = true",
                    "loopback_users = none",
                    "log.file = rabbit.log",
                    "log.console = false",
                    "",
                ]
            )
        )
        if os.geteuid() == 0:
            self._hand_over(folder)
        return {
            **os.environ,
            "HOME": str(folder),  # the Erlang cookie goes here, not in the user's home
            "ERL_EPMD_PORT": str(self.ports["epmd"]),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODENAME": self.node_name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.ports["amqp"]),
            "RABBITMQ_DIST_PORT": str(self.ports["dist"]),
            # Erlang distribution would otherwise listen on every interface.
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "RABBITMQ_CONF_ENV_FILE": str(folder / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq.conf"),
            "RABBITMQ_CONFIG_FILES": str(folder / "conf.d"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(folder / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(folder / "data"),
            "RABBITMQ_LOG_BASE": str(folder / "log"),
            "RABBITMQ_PID_FILE": str(folder / "rabbitmq.pid"),
        }

    @staticmethod
    def _hand_over(folder: Path) -> None:
        """As root the server runs as `rabbitmq`: it must own the folder and reach it."""
        try:
            user = pwd.getpwnam(SERVICE_USER)
        except KeyError:
            raise RehearsalError(
                f"user {SERVICE_USER!r} is missing, so RabbitMQ cannot run as root; {INSTALL_HINT}"
            ) from None
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid)
        for parent in folder.parents:
            if parent.stat().st_mode & 0o001 == 0:
                raise RehearsalError(
                    f"RabbitMQ runs as user {SERVICE_USER!r}, which cannot enter {parent}; "
                    "give a workdir it can reach (one under /tmp)"
                )

    def _spawn(self, argv: list[str], env: dict[str, str], log: str) -> subprocess.Popen[bytes]:
        assert self.folder is not None
        root = os.geteuid() == 0
        with (self.folder / "log" / log).open("ab") as out:
            # Its own session, so stop() finds and ends every process the server forks.
            return subprocess.Popen(
                argv,
                cwd=self.folder,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=SERVICE_USER if root else None,
                group=SERVICE_USER if root else None,
                extra_groups=[] if root else None,
            )

    def _log_tail(self) -> str:
        if self.folder is None:
            return ""
        logs = self.folder / "log"
        parts = [_tail(logs / name) for name in ("console.log", "rabbit.log", "epmd.log")]
        return "\n".join(p for p in parts if p) or "(the server wrote no log)"

    def _failure(self, what: str) -> RehearsalError:
        return RehearsalError(
            f"RabbitMQ {what} (node {self.node_name}, management port "
            f"{self.ports.get('management')}); the end of its log:\n{self._log_tail()}"
        )

    def _wait_for_port(self, port: int, proc: subprocess.Popen[bytes], name: str) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise self._failure(f"could not start: {name} exited with {proc.returncode}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return
            time.sleep(0.05)
        raise self._failure(f"could not start: {name} did not listen on port {port}")

    def _wait_until_ready(self) -> None:
        assert self._server is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._server.poll() is not None:
                raise self._failure(f"exited with {self._server.returncode} while starting")
            try:
                self.request("GET", "/overview")
                return
            except RehearsalError:
                time.sleep(0.2)
        raise self._failure(f"did not answer GET /api/overview within {START_TIMEOUT:.0f} s")


def _end(proc: subprocess.Popen[bytes]) -> None:
    """End a process and everything it started, and return once nothing of them is left."""
    family = set(_family({proc.pid}))
    if proc.poll() is None:
        proc.terminate()
    # The folder is thrown away, so the VM's slow exit (~6 s) is not worth waiting for.
    deadline = time.monotonic() + STOP_GRACE
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    # Again: helpers started while shutting down, before their parents exit.
    family |= set(_family({proc.pid}))
    for pid in sorted(family):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)
    # A killed process lingers until the kernel has torn it down (and its sockets with it).
    deadline = time.monotonic() + 10
    while _family(family) and time.monotonic() < deadline:
        time.sleep(0.02)


def _stop_all() -> None:
    with _lock:
        instances = list(_running)
    for instance in instances:
        instance.stop()


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    _stop_all()
    raise SystemExit(128 + signum)


@functools.cache
def _install_hooks() -> None:
    """Once per process: stop servers at exit and on SIGTERM (whose default skips atexit)."""
    atexit.register(_stop_all)
    in_main = threading.current_thread() is threading.main_thread()
    if in_main and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_sigterm)
