#!/usr/bin/python3
"""kazoo's side of the "kazoo" wire scenario (driven by scripts/wire/scenarios/others.ts).

    /usr/bin/python3 kazoo_scenario.py <host:port>

Two KazooClients (`zk`, then `other`) work under /wire-kazoo one request at a time, so the order of
what reaches the server is the same on every run. Whenever kazoo itself sends something from another
thread (a DataWatch or ChildrenWatch re-reading after an event, a lock waiter waking up), the script
waits for that to finish before it goes on. Halfway through it prints "CUT" and waits: the Node side
cuts every connection, `other` reconnects and changes things while `zk` is held back from
reconnecting, then `zk` reconnects and its ChildrenWatch re-reads. Any failure exits non-zero.
"""
import itertools
import sys
import threading
import uuid

from kazoo.client import KazooClient
from kazoo.exceptions import (
    BadVersionError,
    NoAuthError,
    NoChildrenForEphemeralsError,
    NodeExistsError,
    NoNodeError,
    NotEmptyError,
    RolledBackError,
)
from kazoo.protocol.states import KazooState
from kazoo.security import make_acl, make_digest_acl

ROOT = "/wire-kazoo"
WAIT = 10.0

# Lock nodes are named after uuid4(); counting instead keeps their paths the same between recordings.
_uuids = itertools.count(1)
uuid.uuid4 = lambda: uuid.UUID(int=next(_uuids))


def say(*words):
    print(*words, flush=True)


def fails(error, call, *args, **kwargs):
    """Run a call that must raise `error`."""
    try:
        call(*args, **kwargs)
    except error:
        return
    raise AssertionError("%s%r did not raise %s" % (call.__name__, args, error.__name__))


class Seen(object):
    """What callbacks reported, with a way to wait for a particular report."""

    def __init__(self):
        self.items = []
        self.cond = threading.Condition()

    def add(self, item):
        with self.cond:
            self.items.append(item)
            self.cond.notify_all()

    def wait_for(self, wanted, what):
        with self.cond:
            if not self.cond.wait_for(lambda: wanted in self.items, WAIT):
                raise AssertionError("no %s %r; saw %r" % (what, wanted, self.items))


class States(object):
    """A client's KazooState changes, so a script can wait for the next one of a kind."""

    def __init__(self, client):
        self.seen = Seen()
        client.add_listener(lambda state: self.seen.add(state))

    def count(self, state):
        with self.seen.cond:
            return self.seen.items.count(state)

    def wait_count(self, state, n):
        with self.seen.cond:
            if not self.seen.cond.wait_for(lambda: self.seen.items.count(state) >= n, WAIT):
                raise AssertionError("never %s (#%d); saw %r" % (state, n, self.seen.items))


def hold_reconnects(client):
    """Make `client`'s connection thread wait at each new connection while the returned gate is shut."""
    gate = threading.Event()
    gate.set()
    connect = client._connection._connect

    def gated(*args):
        if not gate.wait(WAIT):
            raise AssertionError("reconnect held too long")
        return connect(*args)

    client._connection._connect = gated
    return gate


class Waiting(object):
    """A stand-in for a Lock's wake_event that says when the lock's thread starts to wait."""

    def __init__(self, event):
        self.event = event
        self.started = threading.Event()

    def clear(self):
        self.event.clear()

    def set(self):
        self.event.set()

    def isSet(self):
        return self.event.is_set()

    is_set = isSet

    def wait(self, timeout=None):
        self.started.set()
        return self.event.wait(timeout)


def creates_and_errors(zk):
    zk.ensure_path(ROOT + "/a/b")
    zk.ensure_path(ROOT + "/a/b")
    zk.create(ROOT + "/p", b"persistent")
    zk.create(ROOT + "/e", b"ephemeral", ephemeral=True)
    zk.create(ROOT + "/s-", b"sequence", sequence=True)
    zk.create(ROOT + "/es-", ephemeral=True, sequence=True)
    zk.create(ROOT + "/deep/er/node", b"made", makepath=True)
    zk.create(ROOT + "/with-stat", b"create2", include_data=True)
    zk.create(ROOT + "/kids")
    fails(NodeExistsError, zk.create, ROOT + "/p")
    fails(NoNodeError, zk.create, ROOT + "/missing/child")
    fails(NoChildrenForEphemeralsError, zk.create, ROOT + "/e/child")


def reads_writes_and_errors(zk):
    _, stat = zk.get(ROOT + "/p")
    stat = zk.set(ROOT + "/p", b"v1", version=stat.version)
    fails(BadVersionError, zk.set, ROOT + "/p", b"v2", version=stat.version + 3)
    fails(NoNodeError, zk.set, ROOT + "/nothing", b"x")
    fails(NoNodeError, zk.get, ROOT + "/nothing")
    fails(NoNodeError, zk.get_children, ROOT + "/nothing")
    fails(BadVersionError, zk.delete, ROOT + "/p", version=7)
    fails(NotEmptyError, zk.delete, ROOT + "/a")
    fails(NoNodeError, zk.delete, ROOT + "/nothing")
    zk.delete(ROOT + "/with-stat", version=0)
    zk.delete(ROOT + "/deep", recursive=True)
    zk.exists(ROOT + "/p")
    zk.exists(ROOT + "/nothing")
    zk.get_children(ROOT)
    zk.get_children(ROOT + "/a", include_data=True)
    zk.get_acls(ROOT + "/p")
    zk.set_acls(ROOT + "/p", [make_acl("world", "anyone", all=True)], version=0)
    fails(BadVersionError, zk.set_acls, ROOT + "/p", [make_acl("world", "anyone", all=True)], version=5)
    zk.sync(ROOT)
    assert zk.command(b"ruok") == "imok"


def watches(zk, other):
    fired = Seen()
    zk.get(ROOT + "/p", watch=lambda e: fired.add((e.type, e.path)))
    zk.exists(ROOT + "/later", watch=lambda e: fired.add((e.type, e.path)))
    zk.get_children(ROOT + "/a", watch=lambda e: fired.add((e.type, e.path)), include_data=True)
    other.set(ROOT + "/p", b"from other")
    other.create(ROOT + "/later", b"now")
    other.create(ROOT + "/a/c")
    fired.wait_for(("CHANGED", ROOT + "/p"), "data event")
    fired.wait_for(("CREATED", ROOT + "/later"), "exists event")
    fired.wait_for(("CHILD", ROOT + "/a"), "child event")

    # A DataWatch on a node that is not there yet, fed by the other client until it gives up.
    values = Seen()

    def on_data(data, stat):
        values.add(data)
        return data != b"stop"

    zk.DataWatch(ROOT + "/watched", on_data)
    values.wait_for(None, "DataWatch call")
    for data in (b"one", b"two", b"stop"):
        if data == b"one":
            other.create(ROOT + "/watched", data)
        else:
            other.set(ROOT + "/watched", data)
        values.wait_for(data, "DataWatch call")

    # A ChildrenWatch that stays on through the reconnect below.
    kids = Seen()
    zk.ChildrenWatch(ROOT + "/kids", lambda children: kids.add(tuple(sorted(children))))
    kids.wait_for((), "ChildrenWatch call")
    other.create(ROOT + "/kids/one")
    kids.wait_for(("one",), "ChildrenWatch call")
    return kids


def transactions(zk):
    t = zk.transaction()
    t.create(ROOT + "/t1", b"a")
    t.create(ROOT + "/t2", b"", ephemeral=True)
    t.create(ROOT + "/ts-", b"", sequence=True)
    t.set_data(ROOT + "/t1", b"b")
    t.check(ROOT + "/t1", 1)
    t.delete(ROOT + "/t2")
    results = t.commit()
    assert not any(isinstance(r, Exception) for r in results), results

    t = zk.transaction()
    t.create(ROOT + "/t3")
    t.set_data(ROOT + "/t1", b"c", version=42)
    t.create(ROOT + "/t4")
    results = t.commit()
    assert isinstance(results[0], RolledBackError) and isinstance(results[1], BadVersionError), results

    with zk.transaction() as t:
        t.check(ROOT + "/t1", 1)
        t.delete(ROOT + "/t1")


def auth_and_acls(zk, other):
    zk.add_auth("digest", "alice:secret")
    zk.create(ROOT + "/alice", b"private", acl=[make_digest_acl("alice", "secret", all=True)])
    zk.create(ROOT + "/mine", b"private", acl=[make_acl("auth", "", all=True)])
    zk.get(ROOT + "/alice")
    zk.get_acls(ROOT + "/mine")
    fails(NoAuthError, other.get, ROOT + "/alice")
    fails(NoAuthError, other.set, ROOT + "/alice", b"x")
    fails(NoAuthError, other.create, ROOT + "/alice/x")
    fails(NoAuthError, other.delete, ROOT + "/alice/x")
    fails(NoAuthError, other.get_children, ROOT + "/alice")
    fails(NoAuthError, other.get_acls, ROOT + "/alice")
    assert other.exists(ROOT + "/alice") is not None
    zk.set_acls(ROOT + "/alice", [make_digest_acl("alice", "secret", all=True), make_acl("world", "anyone", read=True)])
    other.get(ROOT + "/alice")


def recipes(zk, other):
    # A lock taken by zk; other tries without blocking, then waits for it.
    lock = zk.Lock(ROOT + "/lock", "zk")
    assert lock.acquire(timeout=WAIT)
    rival = other.Lock(ROOT + "/lock", "other")
    assert not rival.acquire(blocking=False)
    waiting = Waiting(rival.wake_event)
    rival.wake_event = waiting
    got = []
    waiter = threading.Thread(target=lambda: got.append(rival.acquire(timeout=WAIT)))
    waiter.start()
    assert waiting.started.wait(WAIT), "the rival never waited"
    assert lock.contenders() == ["zk", "other"], lock.contenders()
    lock.release()
    waiter.join(WAIT)
    assert got == [True], got
    rival.release()

    counter = zk.Counter(ROOT + "/counter")
    counter += 5
    counter -= 2
    assert counter.value == 3
    curator = zk.Counter(ROOT + "/curator-counter", support_curator=True)
    curator += 7
    assert curator.value == 7

    election = zk.Election(ROOT + "/election", "leader")
    led = []
    election.run(lambda: led.append(election.contenders()))
    assert led == [["leader"]], led

    barrier = zk.Barrier(ROOT + "/barrier")
    barrier.create()
    assert not barrier.wait(0.2)
    barrier.remove()
    assert barrier.wait()


def reconnect(zk, other, kids):
    zk_states, other_states = States(zk), States(other)
    gate = hold_reconnects(zk)
    gate.clear()
    say("CUT")
    zk_states.wait_count(KazooState.SUSPENDED, 1)
    other_states.wait_count(KazooState.SUSPENDED, 1)
    other_states.wait_count(KazooState.CONNECTED, 1)
    # zk is still away: these happen after the last zxid it saw.
    other.set(ROOT + "/p", b"while away")
    other.create(ROOT + "/kids/two")
    gate.set()
    zk_states.wait_count(KazooState.CONNECTED, 1)
    kids.wait_for(("one", "two"), "ChildrenWatch call after the reconnect")
    assert zk.get(ROOT + "/p")[0] == b"while away"


def main():
    hosts = sys.argv[1]
    zk = KazooClient(hosts=hosts, timeout=8.0)
    other = KazooClient(hosts=hosts, timeout=8.0)
    zk.start(WAIT)
    other.start(WAIT)
    creates_and_errors(zk)
    reads_writes_and_errors(zk)
    kids = watches(zk, other)
    transactions(zk)
    auth_and_acls(zk, other)
    recipes(zk, other)
    reconnect(zk, other, kids)
    other.stop()
    other.close()
    zk.delete(ROOT + "/e")
    zk.stop()
    zk.close()
    say("DONE")


if __name__ == "__main__":
    main()
