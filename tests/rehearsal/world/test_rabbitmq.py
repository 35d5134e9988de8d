"""The rehearsal's RabbitMQ: a real server, private ports, and nothing left running after it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from sccos_pipeline.rehearsal.errors import RehearsalError
from sccos_pipeline.rehearsal.world import rabbitmq
from sccos_pipeline.rehearsal.world.rabbitmq import RabbitMQ
from tests.conftest import ROOT

INSTALLED = bool(shutil.which("rabbitmq-server")) or Path("/usr/sbin/rabbitmq-server").exists()
needs_rabbitmq = pytest.mark.skipif(
    not INSTALLED, reason="rabbitmq-server is not installed; `make setup` installs it"
)
# A server takes ~7 s to start; a hang must not stall the whole suite.
pytestmark = pytest.mark.timeout(120)


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 1):
            return True
    except OSError:
        return False


def _listeners(port: int) -> list[str]:
    """Command line and environment of each process listening on a loopback TCP port."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            links = {os.readlink(fd) for fd in (entry / "fd").iterdir()}
            if links & inodes:
                text = (entry / "cmdline").read_bytes() + b" " + (entry / "environ").read_bytes()
                found.append(text.replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    return found


def assert_gone(pids: list[int], ports: dict[str, int], node: str = "") -> None:
    """Nothing of the instance is left: no process, and none of its ports held by anything of
    it (a freed port may be taken at once by another program, e.g. a parallel test's)."""
    assert [pid for pid in pids if alive(pid)] == []
    ours = [node, f"-port {ports.get('epmd', -1)}"] if node else []
    held = {
        name: owners
        for name, port in ports.items()
        if listening(port)
        and (owners := [c for c in _listeners(port) if not ours or any(m in c for m in ours)])
    }
    assert held == {}


@pytest.fixture(scope="module")
def server() -> Iterator[RabbitMQ]:
    with RabbitMQ() as mq:
        yield mq


@needs_rabbitmq
def test_state_shows_what_the_api_created(server: RabbitMQ) -> None:
    server.request("PUT", "/vhosts/shop-de")
    server.request("PUT", "/users/shop", {"password": "s3cret", "tags": "management"})
    server.request(
        "PUT", "/permissions/shop-de/shop", {"configure": "^shop\\.", "write": ".*", "read": ".*"}
    )

    assert server.state() == {
        "vhosts": ["/", "shop-de"],
        "users": [
            {"name": "rehearsal-admin", "tags": ["administrator"]},
            {"name": "shop", "tags": ["management"]},
        ],
        "permissions": [
            {
                "user": "rehearsal-admin",
                "vhost": "/",
                "configure": ".*",
                "write": ".*",
                "read": ".*",
            },
            # RabbitMQ grants whoever creates a vhost full permissions on it.
            {
                "user": "rehearsal-admin",
                "vhost": "shop-de",
                "configure": ".*",
                "write": ".*",
                "read": ".*",
            },
            {
                "user": "shop",
                "vhost": "shop-de",
                "configure": "^shop\\.",
                "write": ".*",
                "read": ".*",
            },
        ],
    }


@needs_rabbitmq
def test_listens_on_loopback_only_with_its_own_ports(server: RabbitMQ) -> None:
    assert server.api_url == f"http://127.0.0.1:{server.ports['management']}"
    assert len(set(server.ports.values())) == 4
    listeners = server.request("GET", "/overview")["listeners"]
    # The HTTP listener reports "::" but binds the address in its socket options.
    bound = {
        (i["protocol"], (i["socket_opts"] or {}).get("ip", i["ip_address"]), i["port"])
        for i in listeners
    }
    assert bound == {
        ("amqp", "127.0.0.1", server.ports["amqp"]),
        ("http", "127.0.0.1", server.ports["management"]),
        ("clustering", "127.0.0.1", server.ports["dist"]),
    }


@needs_rabbitmq
def test_second_instance_runs_beside_and_stop_leaves_nothing(server: RabbitMQ) -> None:
    with RabbitMQ() as other:
        pids, ports, folder = other.pids(), dict(other.ports), other.folder
        node = other.node_name.split("@")[0]
        assert other.node_name != server.node_name
        assert set(ports.values()).isdisjoint(server.ports.values())
        assert other.state()["vhosts"] == ["/"]
        assert len(pids) >= 3  # start script, Erlang VM, epmd

    assert_gone(pids, ports, node)
    assert folder is not None and not folder.exists()
    other.stop()  # a second stop is harmless
    assert server.request("GET", "/overview")["node"] == server.node_name


@needs_rabbitmq
def test_sigterm_to_the_rehearsal_stops_its_server(server: RabbitMQ) -> None:
    script = textwrap.dedent(
        """
        import json, time
        from sccos_pipeline.rehearsal.world.rabbitmq import RabbitMQ
        mq = RabbitMQ()
        mq.start()
        print(json.dumps({"pids": mq.pids(), "ports": mq.ports, "folder": str(mq.folder)}), flush=True)
        time.sleep(300)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert child.stdout is not None
        started = json.loads(child.stdout.readline())
        assert all(alive(pid) for pid in started["pids"])
        assert listening(started["ports"]["management"])
        child.send_signal(signal.SIGTERM)
        assert child.wait(30) == 128 + signal.SIGTERM
    finally:
        child.kill()
        child.wait()
    assert_gone(started["pids"], started["ports"])
    assert not Path(started["folder"]).exists()


@needs_rabbitmq
def test_an_occupied_requested_port_is_refused() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(RehearsalError, match=f"port {port} is in use"):
            RabbitMQ(management_port=port).start()


@needs_rabbitmq
def test_a_server_that_does_not_come_up_is_reported_and_cleaned_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Deterministic under any load: the server never answers (not merely "not within 0.5 s"),
    # and only processes and listeners of this instance count as left over, not a port a
    # parallel test took once it was free.
    seen: set[int] = set()

    def never_answers(self: RabbitMQ, method: str, path: str, body: object = None) -> None:
        seen.update(self.pids())
        raise RehearsalError("connection refused")

    monkeypatch.setattr(rabbitmq, "START_TIMEOUT", 0.5)
    monkeypatch.setattr(RabbitMQ, "request", never_answers)
    mq = RabbitMQ()
    with pytest.raises(RehearsalError, match=r"did not answer GET /api/overview within") as error:
        mq.start()
    assert "the end of its log" in str(error.value)
    assert seen  # the server was running while it did not answer
    assert mq.pids() == [] and mq.folder is None
    assert_gone(sorted(seen), mq.ports, mq.node_name)


def test_a_missing_server_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(f"{rabbitmq.__name__}.shutil.which", lambda name: None)
    monkeypatch.setattr(f"{rabbitmq.__name__}.os.access", lambda path, mode: False)
    with pytest.raises(RehearsalError, match="RabbitMQ is not installed; run `make setup`"):
        RabbitMQ().start()
