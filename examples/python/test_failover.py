"""kazoo keeps its session when the leader of a three-server zookit ensemble is killed through the
control plane; and a tree fixture and a session expiry, driven the same way."""
import queue

from kazoo.protocol.states import KazooState

WAIT_S = 30


def test_session_survives_leader_failover(ensemble, zk):
    states = []
    zk.add_listener(states.append)
    zk.create("/worker", b"busy", ephemeral=True)
    session_id, _ = zk.client_id

    leader = ensemble.control.wait_for_leader()
    ensemble.control.kill(leader)
    assert ensemble.control.wait_for_leader() != leader, "another server leads"
    # The client loses its server and reconnects, perhaps more than once: a follower that has not yet
    # noticed the leader's death accepts it, then drops it as it joins the election. zk.retry()
    # waits out those connection losses, as an application would.
    zk.retry(zk.set, "/worker", b"after failover")

    assert KazooState.SUSPENDED in states, "the client noticed the failover"
    assert KazooState.LOST not in states, "the session was never lost"
    assert zk.client_id[0] == session_id, "same session after failover"
    data, worker = zk.retry(zk.get, "/worker")
    assert data == b"after failover", "the write went through"
    assert worker.ephemeralOwner == session_id, "the ephemeral made before the failover is still there"


def test_fixture_then_expiry(ensemble, zk):
    session_id, _ = zk.client_id
    ensemble.control.load_tree({"nodes": [
        {"path": "/config/db", "data": "postgres://db"},
        {"path": "/workers/w1", "ephemeralOwner": f"{session_id:#x}"},
    ]})
    assert zk.get("/config/db")[0] == b"postgres://db"
    assert zk.get_children("/workers") == ["w1"]

    lost = queue.Queue()
    zk.add_listener(lambda s: s == KazooState.LOST and lost.put(s))
    ensemble.control.expire_session(session_id)
    assert lost.get(timeout=WAIT_S) == KazooState.LOST
    paths = [n["path"] for n in ensemble.control.dump_tree()["nodes"]]
    assert "/workers/w1" not in paths, "the expired session's ephemeral is gone"
    assert "/config/db" in paths
