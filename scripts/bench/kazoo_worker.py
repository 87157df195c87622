# The client benchmark's workloads for kazoo (Debian's python3-kazoo, its default threading handler),
# as worker.ts runs them for the Node clients: same sizes (key=value arguments), same figures, one
# line of JSON on stdout. CPU is the whole process's (every thread), as Node's is.
#   /usr/bin/python3 kazoo_worker.py <connectString> <root> key=value…
import json
import resource
import sys
import threading
import time

from kazoo.client import KazooClient


def connect(connect_string):
    zk = KazooClient(hosts=connect_string, timeout=30)
    zk.start(timeout=30)
    return zk


def percentile(xs, p):
    s = sorted(xs)
    rank = -(-p * len(s) // 100) - 1  # ceil(p/100 · n) - 1, the same nearest rank as stats.ts
    return s[min(len(s) - 1, max(0, int(rank)))]


def timed_gets(zk, node, count):
    """count sequential getData calls, each timed (µs)."""
    times = []
    for _ in range(count):
        t0 = time.perf_counter_ns()
        zk.get(node)
        times.append((time.perf_counter_ns() - t0) / 1e3)
    return times


def cpu_seconds():
    return time.process_time()


def pipelined(total, depth, start):
    """`total` calls with at most `depth` outstanding; `start(done)` issues one and calls done(error)
    when its reply is in. Returns (elapsed µs, CPU µs)."""
    lock = threading.Lock()
    state = {"issued": 0, "finished": 0, "failure": None}
    all_done = threading.Event()

    def next_call():
        with lock:
            if state["issued"] >= total:
                return
            state["issued"] += 1
        start(done)

    def done(error):
        with lock:
            state["finished"] += 1
            if error is not None and state["failure"] is None:
                state["failure"] = error
            finished = state["finished"] == total
        if finished:
            all_done.set()
        else:
            next_call()

    cpu0 = cpu_seconds()
    t0 = time.perf_counter_ns()
    for _ in range(min(depth, total)):
        next_call()
    all_done.wait()
    micros = (time.perf_counter_ns() - t0) / 1e3
    cpu = (cpu_seconds() - cpu0) * 1e6
    if state["failure"] is not None:
        raise state["failure"]
    return micros, cpu


def completion(async_result, done, then=None):
    """Call done(error) once `async_result` is in; with `then`, hand its value on instead."""

    def on_result(result):
        try:
            value = result.get_nowait()
        except Exception as error:  # the call failed: report it, stop the chain
            done(error)
            return
        if then is None:
            done(None)
        else:
            then(value)

    async_result.rawlink(on_result)


def main():
    connect_string, root = sys.argv[1], sys.argv[2]
    w = {k: int(v) for k, v in (arg.split("=", 1) for arg in sys.argv[3:])}
    figures = {}

    connect_us = 0.0
    for _ in range(w["connects"]):
        t0 = time.perf_counter_ns()
        c = connect(connect_string)
        connect_us += (time.perf_counter_ns() - t0) / 1e3
        c.stop()
        c.close()
    figures["connectMs"] = connect_us / w["connects"] / 1000

    zk = connect(connect_string)
    node = root + "/data"
    for _ in range(w["warmupGets"]):
        zk.get(node)

    seq = timed_gets(zk, node, w["sequentialGets"])
    figures["seqGetP50us"] = percentile(seq, 50)
    figures["seqGetP99us"] = percentile(seq, 99)
    for _ in range(w["steadyWarmupGets"]):
        zk.get(node)
    figures["seqGetSteadyP99us"] = percentile(timed_gets(zk, node, w["sequentialGets"]), 99)

    gets = w["pipelinedGets"]
    micros, cpu = pipelined(gets, w["depth"], lambda done: completion(zk.get_async(node), done))
    figures["pipeGetOps"] = gets / (micros / 1e6)
    figures["cpuPerGetUs"] = cpu / gets

    sets = w["pipelinedSets"]
    payload = b"\x01" * w["payloadBytes"]
    micros, cpu = pipelined(sets, w["depth"], lambda done: completion(zk.set_async(node, payload), done))
    figures["pipeSetOps"] = sets / (micros / 1e6)
    figures["cpuPerSetUs"] = cpu / sets

    pairs = w["ephemeralPairs"]

    def create_then_delete(done):
        created = zk.create_async(root + "/eph/e-", b"", ephemeral=True, sequence=True)
        completion(created, done, then=lambda name: completion(zk.delete_async(name), done))

    micros, _ = pipelined(pairs, w["ephemeralDepth"], create_then_delete)
    figures["ephPairsPerSec"] = pairs / (micros / 1e6)

    kids = []
    for _ in range(w["childrenReads"]):
        t0 = time.perf_counter_ns()
        n = len(zk.get_children(root + "/many"))
        if n != w["children"]:
            raise RuntimeError(f"expected {w['children']} children, got {n}")
        kids.append((time.perf_counter_ns() - t0) / 1e6)
    figures["getChildrenMs"] = percentile(kids, 50)
    zk.stop()
    zk.close()
    figures["peakRssMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"figures": figures, "seqGetUs": seq}))


main()
