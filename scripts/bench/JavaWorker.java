// The client benchmark's workloads for the Java client (Debian's ZooKeeper 3.8 jar), as worker.ts runs
// them for the Node clients: same sizes (key=value arguments), same figures, one line of JSON on
// stdout. CPU is the whole JVM's (every thread: event and send threads, GC, JIT), as Node's is.
//   java -cp <jars>:<dir> JavaWorker <connectString> <root> key=value…
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

public final class JavaWorker {
  /** One asynchronous call: start it, and run `done` when its reply is in (after a failure, too). */
  interface AsyncOp {
    void start(Runnable done, AtomicReference<String> failure);
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  static ZooKeeper connect(String connectString) throws Exception {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk =
        new ZooKeeper(
            connectString,
            30_000,
            event -> {
              if (event.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
            });
    if (!connected.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("no session within 30 s");
    return zk;
  }

  static void check(int rc, String what, AtomicReference<String> failure) {
    if (rc != KeeperException.Code.OK.intValue()) failure.compareAndSet(null, what + ": " + KeeperException.Code.get(rc));
  }

  /** `total` calls with at most `depth` outstanding; returns { elapsed µs, CPU µs }. */
  static double[] pipelined(int total, int depth, AsyncOp op) throws Exception {
    Semaphore permits = new Semaphore(depth);
    CountDownLatch all = new CountDownLatch(total);
    AtomicReference<String> failure = new AtomicReference<>();
    Runnable done =
        () -> {
          permits.release();
          all.countDown();
        };
    long cpu0 = cpuNanos();
    long t0 = System.nanoTime();
    for (int i = 0; i < total; i++) {
      permits.acquire();
      op.start(done, failure);
    }
    all.await();
    double micros = (System.nanoTime() - t0) / 1e3;
    double cpu = (cpuNanos() - cpu0) / 1e3;
    if (failure.get() != null) throw new IllegalStateException(failure.get());
    return new double[] {micros, cpu};
  }

  /** count sequential getData calls, each timed (µs). */
  static List<Double> timedGets(ZooKeeper zk, String node, int count) throws Exception {
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long t0 = System.nanoTime();
      zk.getData(node, false, null);
      times.add((System.nanoTime() - t0) / 1e3);
    }
    return times;
  }

  static double percentile(List<Double> xs, double p) {
    List<Double> sorted = new ArrayList<>(xs);
    sorted.sort(null);
    int rank = (int) Math.ceil(p / 100 * sorted.size()) - 1;
    return sorted.get(Math.min(sorted.size() - 1, Math.max(0, rank)));
  }

  static double peakRssMB() throws Exception {
    for (String line : Files.readAllLines(Paths.get("/proc/self/status")))
      if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
    throw new IllegalStateException("no VmHWM in /proc/self/status");
  }

  public static void main(String[] args) throws Exception {
    String connectString = args[0];
    String root = args[1];
    Map<String, Integer> w = new HashMap<>();
    for (int i = 2; i < args.length; i++) {
      String[] kv = args[i].split("=", 2);
      w.put(kv[0], Integer.parseInt(kv[1]));
    }
    Map<String, Double> figures = new java.util.LinkedHashMap<>();

    double connectMicros = 0;
    for (int i = 0; i < w.get("connects"); i++) {
      long t0 = System.nanoTime();
      ZooKeeper c = connect(connectString);
      connectMicros += (System.nanoTime() - t0) / 1e3;
      c.close();
    }
    figures.put("connectMs", connectMicros / w.get("connects") / 1000);

    ZooKeeper zk = connect(connectString);
    String node = root + "/data";
    for (int i = 0; i < w.get("warmupGets"); i++) zk.getData(node, false, null);

    List<Double> seq = timedGets(zk, node, w.get("sequentialGets"));
    figures.put("seqGetP50us", percentile(seq, 50));
    figures.put("seqGetP99us", percentile(seq, 99));
    for (int i = 0; i < w.get("steadyWarmupGets"); i++) zk.getData(node, false, null);
    figures.put("seqGetSteadyP99us", percentile(timedGets(zk, node, w.get("sequentialGets")), 99));

    int gets = w.get("pipelinedGets");
    double[] g =
        pipelined(
            gets,
            w.get("depth"),
            (done, failure) ->
                zk.getData(
                    node,
                    false,
                    (rc, path, ctx, data, stat) -> {
                      check(rc, "getData", failure);
                      done.run();
                    },
                    null));
    figures.put("pipeGetOps", gets / (g[0] / 1e6));
    figures.put("cpuPerGetUs", g[1] / gets);

    int sets = w.get("pipelinedSets");
    byte[] payload = new byte[w.get("payloadBytes")];
    java.util.Arrays.fill(payload, (byte) 1);
    double[] s =
        pipelined(
            sets,
            w.get("depth"),
            (done, failure) ->
                zk.setData(
                    node,
                    payload,
                    -1,
                    (rc, path, ctx, stat) -> {
                      check(rc, "setData", failure);
                      done.run();
                    },
                    null));
    figures.put("pipeSetOps", sets / (s[0] / 1e6));
    figures.put("cpuPerSetUs", s[1] / sets);

    int pairs = w.get("ephemeralPairs");
    byte[] empty = new byte[0];
    double[] e =
        pipelined(
            pairs,
            w.get("ephemeralDepth"),
            (done, failure) ->
                zk.create(
                    root + "/eph/e-",
                    empty,
                    ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.EPHEMERAL_SEQUENTIAL,
                    (rc, path, ctx, name) -> {
                      check(rc, "create", failure);
                      if (name == null) {
                        done.run();
                        return;
                      }
                      zk.delete(
                          name,
                          -1,
                          (rc2, path2, ctx2) -> {
                            check(rc2, "delete", failure);
                            done.run();
                          },
                          null);
                    },
                    null));
    figures.put("ephPairsPerSec", pairs / (e[0] / 1e6));

    List<Double> kids = new ArrayList<>();
    for (int i = 0; i < w.get("childrenReads"); i++) {
      long t0 = System.nanoTime();
      int n = zk.getChildren(root + "/many", false).size();
      if (n != w.get("children")) throw new IllegalStateException("expected " + w.get("children") + " children, got " + n);
      kids.add((System.nanoTime() - t0) / 1e6);
    }
    figures.put("getChildrenMs", percentile(kids, 50));
    zk.close();
    figures.put("peakRssMB", peakRssMB());

    StringBuilder json = new StringBuilder("{\"figures\":{");
    String sep = "";
    for (Map.Entry<String, Double> f : figures.entrySet()) {
      json.append(sep).append('"').append(f.getKey()).append("\":").append(f.getValue());
      sep = ",";
    }
    json.append("},\"seqGetUs\":[");
    sep = "";
    for (double x : seq) {
      json.append(sep).append(x);
      sep = ",";
    }
    json.append("]}");
    System.out.println(json);
    System.exit(0);
  }
}
