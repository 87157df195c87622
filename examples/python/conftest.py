"""pytest fixtures for the bundled zookit ensemble.

One `zookit ensemble --size 3 --processes --port 0 --control-port 0` runs for the whole pytest
session as a subprocess; tests drive it over its HTTP control plane. The `ensemble` fixture hands
each test an empty tree and three running servers; `zk` adds a started KazooClient.
Copy this file into a project's tests; it needs only the standard library, pytest and kazoo.
"""
import json
import os
import pathlib
import queue
import subprocess
import threading
import urllib.error
import urllib.request

import pytest
from kazoo.client import KazooClient

# A zookit checkout: $ZOOKIT_REPO, else the one this file sits in (examples/python/..).
REPO = pathlib.Path(os.environ.get("ZOOKIT_REPO", pathlib.Path(__file__).resolve().parents[2]))
WAIT_MS = 30_000


class ControlError(Exception):
    """The control plane refused a request: its HTTP status and its {"error": ...} message."""

    def __init__(self, status, message):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class Control:
    """A client of the control plane at `url` (http://127.0.0.1:port). Indexes are 0-based."""

    def __init__(self, url):
        self.url = url

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                return json.load(res)
        except urllib.error.HTTPError as e:
            raise ControlError(e.code, json.load(e)["error"]) from None

    def state(self):
        return self.call("GET", "/ensemble")

    def wait_for_leader(self, timeout_ms=WAIT_MS):
        return self.call("GET", f"/ensemble/leader?waitMs={timeout_ms}")["leader"]

    def kill(self, i):
        return self.call("POST", f"/ensemble/servers/{i}/kill")

    def restart(self, i):
        return self.call("POST", f"/ensemble/servers/{i}/restart")

    def reset(self, expire_sessions=False):
        return self.call("POST", "/ensemble/reset", {"expireSessions": expire_sessions})

    def dump_tree(self):
        return self.call("GET", "/ensemble/tree")

    def load_tree(self, fixture):
        return self.call("PUT", "/ensemble/tree", fixture)

    def expire_session(self, session_id):
        # Hex, as ZooKeeper prints session ids.
        return self.call("POST", f"/ensemble/sessions/{session_id:#x}/expire")


class Ensemble:
    def __init__(self, process, connect_string, control):
        self.process = process
        self.connect_string = connect_string
        self.control = control


def _read_start_lines(process, timeout_s=60):
    """The connect string (the first line) and the control URL (the line "control: URL")."""
    lines = queue.Queue()

    def pump():
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)  # the CLI exited

    threading.Thread(target=pump, daemon=True).start()
    connect = lines.get(timeout=timeout_s)
    while True:
        line = None if connect is None else lines.get(timeout=timeout_s)
        if line is None:
            raise RuntimeError("zookit exited before printing its control URL (see its stderr above)")
        if line.startswith("control: "):
            return connect, line[len("control: "):]


@pytest.fixture(scope="session")
def zookit_ensemble():
    node = os.environ.get("NODE", "node")
    cmd = [node, "--import", "tsx", "src/cli.ts", "ensemble", "--size", "3", "--processes", "--port", "0", "--control-port", "0"]
    process = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        connect, url = _read_start_lines(process)
        ensemble = Ensemble(process, connect, Control(url))
        yield ensemble
        ensemble.control.call("POST", "/ensemble/stop")
        process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture
def ensemble(zookit_ensemble):
    """The session's ensemble with an empty tree; whatever a test killed is restarted after it."""
    zookit_ensemble.control.reset()
    yield zookit_ensemble
    control = zookit_ensemble.control
    for server in control.state()["servers"]:
        if server["mode"] == "down":
            control.restart(server["index"])
    control.wait_for_leader()


@pytest.fixture
def zk(ensemble):
    # zk.retry() keeps retrying a call through connection losses for up to 30 s (kazoo's default is
    # one retry), long enough for an election.
    client = KazooClient(hosts=ensemble.connect_string, timeout=10.0, command_retry={"max_tries": -1, "deadline": 30})
    client.start(timeout=30)
    yield client
    client.stop()
    client.close()
