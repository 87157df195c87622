// Watches as Java programs use them, against a server given on the command line (chroot included):
// Curator's CuratorCache and PersistentWatcher, then the plain client's addWatch and removeWatches.
// Prints one line per event it saw and "JAVA WATCHES OK" at the end; on a wrong or missing event, a
// dropped connection or the overall deadline it prints "FAIL <why>" and exits non-zero.
import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.WatcherType;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

public class JavaWatches {
    private static final long EVENT_TIMEOUT_S = 10;
    private static final long RUN_DEADLINE_S = 90;

    /** Every watcher and listener reports here, so the order events arrive in is checked too. */
    private static final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    /** Connection-state changes after the first connect; any one fails the run. */
    private static final ConcurrentLinkedQueue<String> connectionTrouble = new ConcurrentLinkedQueue<>();
    private static volatile boolean closing = false;

    /** Plain client that makes every change, and the home of the plain-client watches. */
    private static ZooKeeper zk;
    private static int sentinelPokes = 0;

    public static void main(String[] args) {
        // A hung server must not hang the test: give up on the whole run after a fixed time.
        Thread deadline = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(RUN_DEADLINE_S));
                System.out.println("FAIL the run took longer than " + RUN_DEADLINE_S + " s");
                System.out.flush();
                Runtime.getRuntime().halt(2);
            } catch (InterruptedException done) {
                // the run finished in time
            }
        });
        deadline.setDaemon(true);
        deadline.start();
        try {
            run(args[0]);
            System.out.println("JAVA WATCHES OK");
            System.out.flush();
            System.exit(0);
        } catch (Throwable e) {
            System.out.println("FAIL " + e.getMessage());
            e.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
    }

    private static void run(String connectString) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        zk = new ZooKeeper(connectString, 10000, e -> {
            if (e.getType() != Watcher.Event.EventType.None) return;
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
            else if (!closing) trouble("zk session " + e.getState());
        });
        await(connected, "the plain client to connect");

        CuratorFramework curator = CuratorFrameworkFactory.newClient(connectString, 10000, 5000, new ExponentialBackoffRetry(100, 3));
        curator.getConnectionStateListenable().addListener((c, state) -> {
            if (state != ConnectionState.CONNECTED && !closing) trouble("curator connection " + state);
        });
        curator.start();
        if (!curator.blockUntilConnected(20, TimeUnit.SECONDS)) throw new AssertionError("Curator did not connect");

        curatorCache(curator);
        persistentWatcher(curator, true);
        persistentWatcher(curator, false);
        plainClient();

        // One last round trip on each connection, so a drop at the very end would show too.
        zk.exists("/", false);
        curator.checkExists().forPath("/");
        if (!connectionTrouble.isEmpty()) throw new AssertionError("connection trouble: " + connectionTrouble);
        String stray = events.poll();
        if (stray != null) throw new AssertionError("unexpected event " + stray);
        System.out.println("no disconnects");
        closing = true;
        curator.close();
        zk.close();
    }

    /** CuratorCache over an existing nested tree, then changes at every depth. */
    private static void curatorCache(CuratorFramework curator) throws Exception {
        create("/c", "root");
        create("/c/a", "1");
        create("/c/a/b", "2");
        create("/c/x", "3");

        CuratorCache cache = CuratorCache.build(curator, "/c");
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreates(n -> events.add("cache created " + show(n)))
                .forChanges((before, after) -> events.add("cache changed " + after.getPath() + "=" + text(before) + "->" + text(after)))
                .forDeletes(n -> events.add("cache deleted " + show(n)))
                .forInitialized(() -> events.add("cache initialized"))
                .build());
        cache.start();

        // The initial build reports each existing node as created, in no promised order, then initialized.
        Set<String> seen = new TreeSet<>();
        for (String e; !(e = next("cache initialized")).equals("cache initialized"); ) seen.add(e);
        Set<String> held = cache.stream().map(n -> "cache created " + show(n)).collect(Collectors.toCollection(TreeSet::new));
        Set<String> tree = Set.of("cache created /c=root", "cache created /c/a=1", "cache created /c/a/b=2", "cache created /c/x=3");
        if (!seen.equals(tree)) throw new AssertionError("initial build reported " + seen + ", the tree is " + tree);
        if (!held.equals(tree)) throw new AssertionError("the cache holds " + held + ", the tree is " + tree);
        System.out.println("cache initialized " + cache.size());
        for (String h : held) System.out.println("cache holds " + h.substring("cache created ".length()));

        create("/c/a/b/c", "v");
        expect("cache created /c/a/b/c=v");
        setData("/c/a/b/c", "w");
        expect("cache changed /c/a/b/c=v->w");
        delete("/c/a/b/c");
        expect("cache deleted /c/a/b/c=w");

        // A new branch made in quick succession: the events come in creation order.
        create("/c/n", "n0");
        create("/c/n/m", "m0");
        create("/c/n/m/o", "o0");
        expect("cache created /c/n=n0");
        expect("cache created /c/n/m=m0");
        expect("cache created /c/n/m/o=o0");
        setData("/c/a", "1b");
        expect("cache changed /c/a=1->1b");
        setData("/c", "root2");
        expect("cache changed /c=root->root2");
        delete("/c/n/m/o");
        delete("/c/n/m");
        delete("/c/n");
        expect("cache deleted /c/n/m/o=o0");
        expect("cache deleted /c/n/m=m0");
        expect("cache deleted /c/n=n0");
        delete("/c/x");
        expect("cache deleted /c/x=3");

        List<String> left = cache.stream().map(JavaWatches::show).sorted().collect(Collectors.toList());
        if (!left.equals(List.of("/c/a/b=2", "/c/a=1b", "/c=root2"))) throw new AssertionError("the cache ends with " + left);
        System.out.println("cache ends with " + left);
        cache.close();
    }

    /** Curator's PersistentWatcher, set before its node exists; recursive or not. */
    private static void persistentWatcher(CuratorFramework curator, boolean recursive) throws Exception {
        String base = recursive ? "/pr" : "/pn";
        String name = "watcher " + (recursive ? "recursive" : "plain");
        PersistentWatcher watcher = new PersistentWatcher(curator, base, recursive);
        watcher.getListenable().addListener(recorder(name));
        CountDownLatch set = new CountDownLatch(1);
        watcher.getResetListenable().addListener(set::countDown);
        watcher.start();
        await(set, "the " + name + " to be set");

        create(base, "0");
        expect(name + " NodeCreated " + base);
        create(base + "/k", "k0");
        expect(recursive ? name + " NodeCreated " + base + "/k" : name + " NodeChildrenChanged " + base);
        setData(base + "/k", "k1");
        create(base + "/k/deep", "d0");
        if (recursive) {
            expect(name + " NodeDataChanged " + base + "/k");
            expect(name + " NodeCreated " + base + "/k/deep");
        }
        // For the plain watcher, the grandchild and the child's data fired nothing: this comes next.
        setData(base, "1");
        expect(name + " NodeDataChanged " + base);
        delete(base + "/k/deep");
        if (recursive) expect(name + " NodeDeleted " + base + "/k/deep");
        delete(base + "/k");
        expect(recursive ? name + " NodeDeleted " + base + "/k" : name + " NodeChildrenChanged " + base);
        delete(base);
        expect(name + " NodeDeleted " + base);
        // A persistent watch outlives its node.
        create(base, "again");
        expect(name + " NodeCreated " + base);
        watcher.close();
    }

    /** The plain client: addWatch in both modes, removeWatches of each type, NoWatcherException. */
    private static void plainClient() throws Exception {
        // Changes to /s tell this connection's "nothing else fired" from "not delivered yet".
        create("/s", "0");
        zk.addWatch("/s", recorder("zk sentinel"), AddWatchMode.PERSISTENT);

        Watcher recursive = recorder("zk recursive");
        zk.addWatch("/r", recursive, AddWatchMode.PERSISTENT_RECURSIVE);
        create("/r", "0");
        expect("zk recursive NodeCreated /r");
        create("/r/a", "a0");
        create("/r/a/b", "b0");
        create("/r/a/b/c", "c0");
        expect("zk recursive NodeCreated /r/a");
        expect("zk recursive NodeCreated /r/a/b");
        expect("zk recursive NodeCreated /r/a/b/c");
        setData("/r/a/b/c", "c1");
        expect("zk recursive NodeDataChanged /r/a/b/c");
        delete("/r/a/b/c");
        expect("zk recursive NodeDeleted /r/a/b/c");
        nothingElse();

        Watcher persistent = recorder("zk persistent");
        zk.addWatch("/p", persistent, AddWatchMode.PERSISTENT);
        create("/p", "0");
        expect("zk persistent NodeCreated /p");
        create("/p/c", "c0");
        expect("zk persistent NodeChildrenChanged /p");
        setData("/p/c", "c1");
        create("/p/c/d", "d0");
        delete("/p/c/d");
        nothingElse();
        setData("/p", "1");
        expect("zk persistent NodeDataChanged /p");
        delete("/p/c");
        expect("zk persistent NodeChildrenChanged /p");

        // Data and Children name one-shot watches only: on a persistent watch they find nothing and
        // leave it standing, as ZooKeeper 3.8 does.
        noWatcher("/p", persistent, WatcherType.Data);
        noWatcher("/p", persistent, WatcherType.Children);
        noWatcher("/r", recursive, WatcherType.Data);
        setData("/p", "2");
        expect("zk persistent NodeDataChanged /p");
        setData("/r/a", "a1");
        expect("zk recursive NodeDataChanged /r/a");

        zk.removeWatches("/r", recursive, WatcherType.Any, false);
        expect("zk recursive PersistentWatchRemoved /r");
        setData("/r/a", "a2");
        create("/r/a/z", "z0");
        delete("/r/a/z");
        setData("/r", "1");
        nothingElse();

        zk.removeWatches("/p", persistent, WatcherType.Any, false);
        expect("zk persistent PersistentWatchRemoved /p");
        setData("/p", "3");
        create("/p/e", "e0");
        delete("/p/e");
        delete("/p");
        nothingElse();

        // One-shot watches removed by their own type, and by Any.
        create("/d", "0");
        Watcher data = recorder("zk data");
        zk.getData("/d", data, null);
        noWatcher("/d", data, WatcherType.Children);
        zk.removeWatches("/d", data, WatcherType.Data, false);
        expect("zk data DataWatchRemoved /d");
        Watcher children = recorder("zk children");
        zk.getChildren("/d", children);
        zk.removeWatches("/d", children, WatcherType.Children, false);
        expect("zk children ChildWatchRemoved /d");
        Watcher exists = recorder("zk exists");
        zk.exists("/d", exists);
        zk.removeWatches("/d", exists, WatcherType.Any, false);
        expect("zk exists DataWatchRemoved /d");
        setData("/d", "1");
        create("/d/k", "k0");
        delete("/d/k");
        delete("/d");
        nothingElse();

        // A one-shot watch beside a persistent one on the same path and connection: type Data finds
        // it, and the persistent watch's child side keeps going.
        create("/m", "0");
        Watcher standing = recorder("zk standing");
        zk.addWatch("/m", standing, AddWatchMode.PERSISTENT);
        Watcher once = recorder("zk once");
        zk.getData("/m", once, null);
        zk.removeWatches("/m", once, WatcherType.Data, false);
        expect("zk once DataWatchRemoved /m");
        create("/m/k", "k0");
        expect("zk standing NodeChildrenChanged /m");
        // The Java client drops one watcher with checkWatches, so the server still holds this
        // connection's watch at /m: a one-shot watch set now is still removable by type.
        zk.removeWatches("/m", standing, WatcherType.Any, false);
        expect("zk standing PersistentWatchRemoved /m");
        zk.exists("/m", once);
        zk.removeWatches("/m", once, WatcherType.Data, false);
        expect("zk once DataWatchRemoved /m");
        setData("/m", "1");
        delete("/m/k");
        delete("/m");
        nothingElse();

        // Watches that are not there, on the server or anywhere.
        noWatcher("/r", recursive, WatcherType.Any);
        noWatcher("/d", children, WatcherType.Children);
        noWatcher("/never", recorder("zk never"), WatcherType.Any);
        nothingElse();
    }

    /** removeWatches must fail with NoWatcherException for this path. */
    private static void noWatcher(String path, Watcher w, WatcherType type) throws Exception {
        try {
            zk.removeWatches(path, w, type, false);
        } catch (KeeperException.NoWatcherException e) {
            if (!path.equals(e.getPath())) throw new AssertionError("NoWatcherException names " + e.getPath() + ", not " + path);
            System.out.println("zk no " + type + " watcher at " + path);
            return;
        }
        throw new AssertionError("removeWatches " + path + " " + type + " succeeded; expected NoWatcherException");
    }

    /** Prove nothing is queued before a change the sentinel watch must see. */
    private static void nothingElse() throws Exception {
        setData("/s", Integer.toString(++sentinelPokes));
        expect("zk sentinel NodeDataChanged /s");
    }

    private static Watcher recorder(String name) {
        return (WatchedEvent e) -> events.add(e.getType() == Watcher.Event.EventType.None
                ? name + " state " + e.getState()
                : name + " " + e.getType() + " " + e.getPath());
    }

    private static void trouble(String what) {
        connectionTrouble.add(what);
        // Also in the event stream, so the next expectation fails at once instead of at the end.
        events.add(what);
    }

    private static String next(String waitingFor) throws InterruptedException {
        String got = events.poll(EVENT_TIMEOUT_S, TimeUnit.SECONDS);
        if (got == null) throw new AssertionError("no event within " + EVENT_TIMEOUT_S + " s; waiting for: " + waitingFor);
        return got;
    }

    private static void expect(String want) throws InterruptedException {
        String got = next(want);
        if (!got.equals(want)) throw new AssertionError("expected \"" + want + "\", got \"" + got + "\"");
        System.out.println(got);
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(EVENT_TIMEOUT_S, TimeUnit.SECONDS)) throw new AssertionError("timed out waiting for " + what);
    }

    private static String text(ChildData n) {
        return n.getData() == null ? "<null>" : new String(n.getData(), UTF_8);
    }

    private static String show(ChildData n) {
        return n.getPath() + "=" + text(n);
    }

    private static void create(String path, String data) throws Exception {
        zk.create(path, data.getBytes(UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    private static void setData(String path, String data) throws Exception {
        zk.setData(path, data.getBytes(UTF_8), -1);
    }

    private static void delete(String path) throws Exception {
        zk.delete(path, -1);
    }
}
