// The "java-client" wire scenario: ZooKeeper 3.8's own Java client through every operation, error
// and kind of watch, then a cut connection resumed with SetWatches2 (it prints CUT for the cut).
//   java -cp <zookeeper jars> JavaClientScenario.java <connect string>   (exit 0: every check held)
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.Watcher.WatcherType;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.HostProvider;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;

public class JavaClientScenario {
    static final String ROOT = "/wire-java";
    static final int SESSION_TIMEOUT_MS = 10_000;
    static final long WAIT_SECONDS = 10;

    public static void main(String[] args) {
        // Whatever hangs, the process ends: the recorder must never wait on it forever.
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("FAILED: timed out after 60 s");
            System.exit(3);
        });
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            run(args[0]);
            System.out.println("JAVA CLIENT OK");
            System.exit(0);
        } catch (Throwable e) {
            System.err.println("FAILED: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** Events one client saw: watch events by "<type> <path>", connection states apart. */
    static final class Events implements Watcher {
        final String name;
        final BlockingQueue<String> watches = new LinkedBlockingQueue<>();
        final BlockingQueue<KeeperState> states = new LinkedBlockingQueue<>();

        Events(String name) {
            this.name = name;
        }

        @Override
        public void process(WatchedEvent e) {
            if (e.getType() == Event.EventType.None) states.add(e.getState());
            else watches.add(e.getType() + " " + e.getPath());
        }

        /** Wait until each of `wanted` has been seen (in any order); any other event is a failure. */
        void expect(String... wanted) throws InterruptedException {
            List<String> missing = new ArrayList<>(Arrays.asList(wanted));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!missing.isEmpty()) {
                String got = watches.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (got == null) throw new IllegalStateException(name + ": no " + missing + " within " + WAIT_SECONDS + " s");
                if (!missing.remove(got)) throw new IllegalStateException(name + ": unexpected event " + got + " while waiting for " + missing);
            }
        }

        /** No watch event is waiting (events are delivered in order, so earlier ones are in). */
        void expectNone() {
            String got = watches.poll();
            if (got != null) throw new IllegalStateException(name + ": unexpected event " + got);
        }

        /** Wait for the connection to reach `state`, skipping others on the way. */
        void awaitState(KeeperState state) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (true) {
                KeeperState got = states.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (got == null) throw new IllegalStateException(name + ": not " + state + " within " + WAIT_SECONDS + " s");
                if (got == state) return;
            }
        }
    }

    /**
     * The one server the first session uses, behind a gate: while held, the client cannot reconnect,
     * so the other session's changes all happen while it is away.
     */
    static final class GatedHost implements HostProvider {
        private final InetSocketAddress address;
        private volatile CountDownLatch gate = new CountDownLatch(0);

        GatedHost(String connectString) {
            String first = connectString.split(",")[0];
            int colon = first.lastIndexOf(':');
            address = new InetSocketAddress(first.substring(0, colon), Integer.parseInt(first.substring(colon + 1)));
        }

        void hold() {
            gate = new CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public InetSocketAddress next(long spinDelay) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return address;
        }

        @Override
        public void onConnected() {}

        @Override
        public boolean updateServerList(Collection<InetSocketAddress> servers, InetSocketAddress current) {
            return false;
        }
    }

    interface Call {
        void run() throws Exception;
    }

    /** Run `call`, which must fail with `code`: the failure is the point. */
    static void fails(Code code, String what, Call call) throws Exception {
        try {
            call.run();
        } catch (KeeperException e) {
            if (e.code() == code) return;
            throw new IllegalStateException(what + ": expected " + code + ", got " + e.code(), e);
        }
        throw new IllegalStateException(what + ": expected " + code + ", but it succeeded");
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new IllegalStateException("check failed: " + what);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The id a digest ACL names for user:password (base64 of its SHA-1), as ZooKeeper computes it. */
    static String digest(String user, String password) throws Exception {
        byte[] sha = MessageDigest.getInstance("SHA-1").digest(bytes(user + ":" + password));
        return user + ":" + Base64.getEncoder().encodeToString(sha);
    }

    static void sync(ZooKeeper zk, String path) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        int[] rc = {Integer.MIN_VALUE};
        zk.sync(path, (r, p, ctx) -> {
            rc[0] = r;
            done.countDown();
        }, null);
        check(done.await(WAIT_SECONDS, TimeUnit.SECONDS), "sync answered");
        check(rc[0] == 0, "sync succeeded (rc " + rc[0] + ")");
    }

    static void run(String connectString) throws Exception {
        Events a = new Events("first");
        Events b = new Events("second");
        GatedHost host = new GatedHost(connectString);
        ZooKeeper zk = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, a, false, host);
        a.awaitState(KeeperState.SyncConnected);
        ZooKeeper other = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, b);
        b.awaitState(KeeperState.SyncConnected);
        List<ACL> open = Ids.OPEN_ACL_UNSAFE;
        Stat stat = new Stat();

        // Creates in every mode, with the Stat of create2, and their errors.
        zk.create(ROOT, bytes("root"), open, CreateMode.PERSISTENT, stat);
        check(stat.getDataLength() == 4, "create2 returns the new node's Stat");
        zk.create(ROOT + "/p", bytes("persistent"), open, CreateMode.PERSISTENT, stat);
        zk.create(ROOT + "/plain", bytes("no stat"), open, CreateMode.PERSISTENT);
        zk.create(ROOT + "/e", null, open, CreateMode.EPHEMERAL, stat);
        check(stat.getEphemeralOwner() == zk.getSessionId(), "an ephemeral node is owned by its session");
        String seq = zk.create(ROOT + "/s-", bytes("x"), open, CreateMode.PERSISTENT_SEQUENTIAL, stat);
        check(seq.equals(ROOT + "/s-0000000003"), "sequential name " + seq);
        zk.create(ROOT + "/es-", bytes("x"), open, CreateMode.EPHEMERAL_SEQUENTIAL, stat);
        zk.create(ROOT + "/container", null, open, CreateMode.CONTAINER, stat);
        zk.create(ROOT + "/container/kept", null, open, CreateMode.PERSISTENT, stat);
        zk.create(ROOT + "/ttl", null, open, CreateMode.PERSISTENT_WITH_TTL, stat, 60_000);
        zk.create(ROOT + "/ttl-s-", null, open, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, stat, 60_000);
        fails(Code.NODEEXISTS, "create over an existing node", () -> zk.create(ROOT + "/p", null, open, CreateMode.PERSISTENT, stat));
        fails(Code.NONODE, "create under a missing parent", () -> zk.create(ROOT + "/missing/child", null, open, CreateMode.PERSISTENT));
        fails(Code.NOCHILDRENFOREPHEMERALS, "create under an ephemeral", () -> zk.create(ROOT + "/e/child", null, open, CreateMode.PERSISTENT, stat));
        fails(Code.INVALIDACL, "create with an auth ACL and no auth", () -> zk.create(ROOT + "/bad-acl", null, Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT, stat));
        fails(Code.INVALIDACL, "create with a malformed digest id", () -> zk.create(ROOT + "/bad-digest", null, Arrays.asList(new ACL(Perms.ALL, new Id("digest", "no-colon"))), CreateMode.PERSISTENT));

        // Reads, with one-shot watches of each kind, and their errors.
        check(new String(zk.getData(ROOT + "/p", a, stat), StandardCharsets.UTF_8).equals("persistent"), "getData");
        check(zk.exists(ROOT + "/p", a) != null, "exists of a node");
        check(zk.exists(ROOT + "/later", a) == null, "exists of a missing node");
        check(zk.getChildren(ROOT, a).size() == 8, "getChildren");
        check(zk.getChildren(ROOT, a, stat).size() == 8 && stat.getNumChildren() == 8, "getChildren with Stat");
        check(zk.getChildren(ROOT + "/p", false, stat).isEmpty(), "getChildren2 without a watch");
        fails(Code.NONODE, "getData of a missing node", () -> zk.getData(ROOT + "/nothing", false, stat));
        fails(Code.NONODE, "getChildren of a missing node", () -> zk.getChildren(ROOT + "/nothing", false));
        fails(Code.NONODE, "getChildren2 of a missing node", () -> zk.getChildren(ROOT + "/nothing", a, stat));
        fails(Code.NONODE, "getACL of a missing node", () -> zk.getACL(ROOT + "/nothing", stat));
        check(zk.getAllChildrenNumber(ROOT) == 9, "getAllChildrenNumber");
        check(zk.getEphemerals(ROOT).size() == 2, "getEphemerals under a prefix");
        check(zk.getEphemerals().size() == 2, "getEphemerals of everything");
        check(zk.getACL(ROOT + "/p", stat).equals(open), "getACL");
        sync(zk, ROOT);
        check(zk.getConfig(a, stat) != null, "getConfig");

        // The other session fires the one-shot watches.
        other.setData(ROOT + "/p", bytes("changed"), -1);
        a.expect("NodeDataChanged " + ROOT + "/p");
        other.create(ROOT + "/later", bytes("now"), open, CreateMode.PERSISTENT);
        a.expect("NodeCreated " + ROOT + "/later", "NodeChildrenChanged " + ROOT);

        // Persistent and recursive watches.
        zk.addWatch(ROOT + "/p", a, AddWatchMode.PERSISTENT);
        zk.addWatch(ROOT, a, AddWatchMode.PERSISTENT_RECURSIVE);
        other.setData(ROOT + "/p", bytes("again"), -1);
        a.expect("NodeDataChanged " + ROOT + "/p");
        other.create(ROOT + "/p/deep", null, open, CreateMode.PERSISTENT);
        a.expect("NodeChildrenChanged " + ROOT + "/p", "NodeCreated " + ROOT + "/p/deep");
        other.delete(ROOT + "/p/deep", -1);
        a.expect("NodeChildrenChanged " + ROOT + "/p", "NodeDeleted " + ROOT + "/p/deep");

        // Removing watches: one watcher by type (checkWatches on the wire), all of a path
        // (removeWatches), and the errors for watches that are not there.
        Events dataOnly = new Events("data watcher");
        Events childOnly = new Events("child watcher");
        zk.getData(ROOT + "/plain", dataOnly, stat);
        zk.getChildren(ROOT + "/plain", childOnly);
        zk.removeWatches(ROOT + "/plain", dataOnly, WatcherType.Data, false);
        dataOnly.expect("DataWatchRemoved " + ROOT + "/plain");
        fails(Code.NOWATCHER, "remove a data watch twice", () -> zk.removeWatches(ROOT + "/plain", dataOnly, WatcherType.Data, false));
        fails(Code.NOWATCHER, "remove a child watch as a data watch", () -> zk.removeWatches(ROOT + "/plain", childOnly, WatcherType.Data, false));
        zk.removeWatches(ROOT + "/plain", childOnly, WatcherType.Children, false);
        childOnly.expect("ChildWatchRemoved " + ROOT + "/plain");
        zk.removeWatches(ROOT + "/p", a, WatcherType.Any, false);
        a.expect("PersistentWatchRemoved " + ROOT + "/p");
        zk.removeAllWatches(ROOT, WatcherType.Any, false);
        a.expect("PersistentWatchRemoved " + ROOT);
        fails(Code.NOWATCHER, "remove every watch of a path without any", () -> zk.removeAllWatches(ROOT + "/nothing", WatcherType.Data, false));
        fails(Code.NOWATCHER, "remove a watcher of a path without any", () -> zk.removeWatches(ROOT + "/nothing", a, WatcherType.Any, false));

        // Writes with versions, and their errors.
        Stat p = zk.setData(ROOT + "/p", bytes("v3"), 2);
        check(p.getVersion() == 3, "setData bumps the version");
        fails(Code.BADVERSION, "setData with a stale version", () -> zk.setData(ROOT + "/p", bytes("v4"), 1));
        fails(Code.NONODE, "setData of a missing node", () -> zk.setData(ROOT + "/nothing", null, -1));
        fails(Code.NOTEMPTY, "delete a node with children", () -> zk.delete(ROOT, -1));
        fails(Code.BADVERSION, "delete with a wrong version", () -> zk.delete(ROOT + "/plain", 9));
        fails(Code.NONODE, "delete a missing node", () -> zk.delete(ROOT + "/nothing", -1));
        zk.delete(ROOT + "/plain", 0);
        zk.setACL(ROOT + "/p", open, 0);
        fails(Code.BADVERSION, "setACL with a wrong version", () -> zk.setACL(ROOT + "/p", open, 7));
        fails(Code.NONODE, "setACL of a missing node", () -> zk.setACL(ROOT + "/nothing", open, -1));
        check(zk.getACL(ROOT + "/p", stat).equals(open) && stat.getAversion() == 1, "setACL bumps the ACL version");

        // Transactions: one that commits (with a check), ones that abort, and multi-reads.
        List<OpResult> done = zk.multi(List.of(
                Op.create(ROOT + "/t1", bytes("a"), open, CreateMode.PERSISTENT),
                Op.create(ROOT + "/t2", null, open, CreateMode.EPHEMERAL),
                Op.setData(ROOT + "/t1", bytes("b"), 0),
                Op.check(ROOT + "/t1", 1),
                Op.delete(ROOT + "/t2", -1)));
        check(done.size() == 5, "multi commits every op");
        fails(Code.BADVERSION, "multi with a stale setData", () -> zk.multi(List.of(
                Op.create(ROOT + "/t3", null, open, CreateMode.PERSISTENT),
                Op.setData(ROOT + "/t1", null, 42),
                Op.create(ROOT + "/t4", null, open, CreateMode.PERSISTENT))));
        fails(Code.BADVERSION, "multi with a failed check", () -> zk.multi(List.of(
                Op.check(ROOT + "/t1", 0),
                Op.delete(ROOT + "/t1", -1))));
        fails(Code.NODEEXISTS, "multi creating an existing node", () -> zk.multi(List.of(Op.create(ROOT + "/t1", null, open, CreateMode.PERSISTENT))));
        zk.multi(List.of(
                Op.create(ROOT + "/tc", null, open, CreateMode.CONTAINER),
                Op.create(ROOT + "/tt", null, open, CreateMode.PERSISTENT_WITH_TTL, 5_000),
                Op.create(ROOT + "/ts-", null, open, CreateMode.PERSISTENT_SEQUENTIAL)));
        List<OpResult> read = zk.multi(List.of(
                Op.getData(ROOT + "/t1"),
                Op.getChildren(ROOT + "/container"),
                Op.getData(ROOT + "/nothing")));
        check(read.size() == 3 && read.get(2) instanceof OpResult.ErrorResult, "multiRead reports each op on its own");

        // Auth: digest, the auth scheme, NOAUTH for the other session, whoAmI.
        zk.addAuthInfo("digest", bytes("alice:secret"));
        check(zk.whoAmI().size() == 2, "whoAmI lists ip and digest");
        zk.create(ROOT + "/mine", bytes("private"), Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT, stat);
        zk.create(ROOT + "/alice", bytes("private"), Arrays.asList(new ACL(Perms.ALL, new Id("digest", digest("alice", "secret")))), CreateMode.PERSISTENT);
        check(zk.getACL(ROOT + "/mine", stat).get(0).getId().getScheme().equals("digest"), "the auth scheme becomes digest");
        check(zk.whoAmI().size() == 2, "whoAmI again");
        fails(Code.NOAUTH, "getData without auth", () -> other.getData(ROOT + "/alice", false, stat));
        fails(Code.NOAUTH, "setData without auth", () -> other.setData(ROOT + "/alice", null, -1));
        fails(Code.NOAUTH, "create under a node without auth", () -> other.create(ROOT + "/alice/x", null, open, CreateMode.PERSISTENT));
        fails(Code.NOAUTH, "getACL without auth", () -> other.getACL(ROOT + "/alice", stat));
        fails(Code.NOAUTH, "setACL without auth", () -> other.setACL(ROOT + "/alice", open, -1));
        check(other.exists(ROOT + "/alice", false) != null, "exists needs no permission");
        check(other.whoAmI().size() == 1, "whoAmI of a session without auth");

        // A cut connection: watches of every kind are set, then the connection is cut and held down
        // while the other session changes what they watch. On reconnect the client resumes its
        // session, sends its auth again and SetWatches2; the missed changes fire at once.
        zk.exists(ROOT + "/gone-while-away", a);
        zk.getData(ROOT + "/later", a, stat);
        zk.getChildren(ROOT + "/p", a);
        zk.create(ROOT + "/pw", null, open, CreateMode.PERSISTENT);
        zk.addWatch(ROOT + "/pw", a, AddWatchMode.PERSISTENT);
        zk.addWatch(ROOT + "/rec", a, AddWatchMode.PERSISTENT_RECURSIVE);
        a.expectNone();
        host.hold();
        System.out.println("CUT");
        System.out.flush();
        a.awaitState(KeeperState.Disconnected);
        b.awaitState(KeeperState.Disconnected);
        b.awaitState(KeeperState.SyncConnected);
        other.create(ROOT + "/gone-while-away", null, open, CreateMode.PERSISTENT);
        other.setData(ROOT + "/later", bytes("while away"), -1);
        other.create(ROOT + "/p/kid", null, open, CreateMode.PERSISTENT);
        // Persistent watches are restored, but what they missed does not fire.
        other.setData(ROOT + "/pw", bytes("missed"), -1);
        other.create(ROOT + "/rec", null, open, CreateMode.PERSISTENT);
        host.release();
        a.awaitState(KeeperState.SyncConnected);
        a.expect("NodeCreated " + ROOT + "/gone-while-away", "NodeDataChanged " + ROOT + "/later", "NodeChildrenChanged " + ROOT + "/p");
        check(new String(zk.getData(ROOT + "/later", false, stat), StandardCharsets.UTF_8).equals("while away"), "the resumed session reads the change");
        other.setData(ROOT + "/pw", bytes("seen"), -1);
        a.expect("NodeDataChanged " + ROOT + "/pw");
        other.create(ROOT + "/rec/x", null, open, CreateMode.PERSISTENT);
        a.expect("NodeCreated " + ROOT + "/rec/x");
        check(zk.getData(ROOT + "/mine", false, stat) != null, "auth survived the reconnect");
        a.expectNone();

        other.close();
        zk.delete(ROOT + "/e", -1);
        zk.close();
    }
}
