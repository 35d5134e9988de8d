"""The real AWS CLI, started once: a fork server that keeps `awscli` imported.

A buildspec calls `aws` dozens of times, and AWS CLI v1 spends most of a call importing
itself (about 0.8 s here). The rehearsal puts a small `aws` client first on the builds' PATH:
it hands its arguments, environment, working directory and standard streams (the file
descriptors themselves) to this server, which forks a child that runs the AWS CLI's own
`main` with them and answers with its exit code. What runs is the AWS CLI, unchanged.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

_MAX_REQUEST = 4 * 1024 * 1024
_AWSCLI_DATA = ""
# What the pipelines' buildspecs call; their models are loaded before the first call.
_SERVICES = ("ecr", "ssm", "ecs", "codepipeline", "secretsmanager", "sts")

# The client: no site, no imports beyond the socket; falls back to the real CLI.
CLIENT = """\
import json, os, socket, sys
path, real = {socket!r}, {real!r}
try:
    client = socket.socket(socket.AF_UNIX)
    client.connect(path)
except OSError:
    os.execv(real, [real, *sys.argv[1:]])
request = json.dumps({{"argv": sys.argv[1:], "env": dict(os.environ), "cwd": os.getcwd()}})
socket.send_fds(client, [request.encode()], [0, 1, 2])
client.shutdown(socket.SHUT_WR)
answer = b""
while chunk := client.recv(64):
    answer += chunk
sys.exit(int(answer or b"255"))
"""


def write_client(bin_dir: Path, server_socket: Path) -> None:
    """`aws` in bin_dir, talking to the server at `server_socket`."""
    real = str(Path(sys.executable).parent / "aws")
    script = bin_dir / "aws"
    body = CLIENT.format(socket=str(server_socket), real=real)
    script.write_text(f"#!{sys.executable} -S\n{body}", encoding="utf-8")
    script.chmod(0o755)


def start_server(server_socket: Path, timeout: float = 30.0) -> subprocess.Popen[bytes]:
    """The server process; ready once its socket exists (the client falls back until then)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sccos_pipeline.rehearsal.aws.fastcli", str(server_socket)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while not server_socket.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    return process


def _serve(path: str) -> None:
    import awscli.clidriver  # noqa: PLC0415 - the import each call would otherwise pay for

    # awscli's import adds its own data folder to AWS_DATA_PATH; each call gets it again.
    global _AWSCLI_DATA  # noqa: PLW0603 - set once, before any fork
    _AWSCLI_DATA = os.environ.get("AWS_DATA_PATH", "")

    # The models a call loads stay loaded: every call's session gets this warmed-up loader.
    loader = awscli.clidriver.create_clidriver().session.get_component("data_loader")
    warm = awscli.clidriver.create_clidriver()
    warm.session.register_component("data_loader", loader)
    warm.session.get_data("cli")
    for service in _SERVICES:
        warm.session.get_service_model(service)
        warm._get_command_table()

    def main() -> int:
        driver = awscli.clidriver.create_clidriver()
        driver.session.register_component("data_loader", loader)
        code: int = driver.main()
        return code

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    server = socket.socket(socket.AF_UNIX)
    server.bind(path + ".tmp")
    os.rename(path + ".tmp", path)  # the socket appears only when it listens
    server.listen(64)
    while True:
        connection, _ = server.accept()
        if os.fork() == 0:
            server.close()
            _run(connection, main)
        connection.close()


def _run(connection: socket.socket, main: object) -> None:
    code = 255
    try:
        data, fds, _, _ = socket.recv_fds(connection, _MAX_REQUEST, 3)
        request = json.loads(data)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the caller's streams
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        given = os.environ.get("AWS_DATA_PATH")
        os.environ["AWS_DATA_PATH"] = os.pathsep.join(p for p in (given, _AWSCLI_DATA) if p)
        if os.environ.get("LC_CTYPE", "") == "UTF-8":  # as the `aws` script does
            os.environ["LC_CTYPE"] = "en_US.UTF-8"
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        sys.argv = ["aws", *request["argv"]]
        code = main()  # type: ignore[operator]
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback  # noqa: PLC0415

        traceback.print_exc()  # on the caller's stderr: a defect of the rehearsal, shown
        code = 255
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        with contextlib.suppress(Exception):
            connection.sendall(str(code).encode())
        os._exit(code if isinstance(code, int) else 255)


if __name__ == "__main__":
    _serve(sys.argv[1])
