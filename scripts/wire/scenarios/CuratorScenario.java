// The "curator" wire scenario: Curator 5.4's framework and recipes driven against one server, each
// step waiting until its client has nothing in flight, so every recording sends the same requests.
//   java -cp <curator and zookeeper jars> CuratorScenario.java <connect string>   (exit 0: all held)
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.recipes.shared.SharedCountListener;
import org.apache.curator.framework.recipes.shared.SharedCountReader;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.utils.ZookeeperFactory;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.WatcherType;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

public class CuratorScenario {
    static final String ROOT = "/wire-curator";
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
            System.out.println("CURATOR OK");
            System.exit(0);
        } catch (Throwable e) {
            System.err.println("FAILED: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    /**
     * What one client has in flight. Every asynchronous call counts until its callback has returned,
     * so work a callback starts keeps the count up: zero means the recipes have nothing outstanding.
     * Reads that set a watch are noted too, so a step can wait until a recipe is watching.
     */
    static final class Traffic {
        private final String name;
        private int inFlight;
        private final List<String> watchedReads = new ArrayList<>();
        private int configReads;

        Traffic(String name) {
            this.name = name;
        }

        synchronized void started() {
            inFlight++;
        }

        synchronized void finished() {
            inFlight--;
            notifyAll();
        }

        synchronized void watchedRead(String path) {
            watchedReads.add(path);
            notifyAll();
        }

        synchronized void configRead() {
            configReads++;
            notifyAll();
        }

        synchronized int watchedReads(String prefix) {
            return (int) watchedReads.stream().filter(p -> p.startsWith(prefix)).count();
        }

        private interface Condition {
            boolean holds();
        }

        private synchronized void await(Condition c, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!c.holds()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) throw new IllegalStateException(name + ": " + what + " within " + WAIT_SECONDS + " s");
                wait(left);
            }
        }

        /** Wait until nothing is in flight. */
        void awaitQuiet() throws InterruptedException {
            await(() -> inFlight == 0, "still " + inFlight + " request(s) in flight");
        }

        /** Wait until more than `before` watched reads under `prefix` have been answered. */
        void awaitWatchedRead(String prefix, int before) throws InterruptedException {
            await(() -> watchedReads(prefix) > before, "no watched read under " + prefix);
        }

        /** Wait until the EnsembleTracker's first read of the config has been answered. */
        void awaitConfigRead() throws InterruptedException {
            await(() -> configReads > 0, "no config read");
        }
    }

    /** Curator's default ZooKeeper handle, counting what is in flight through it. */
    static final class TrackedZooKeeper extends ZooKeeperAdmin {
        private final Traffic t;

        TrackedZooKeeper(String connectString, int sessionTimeout, Watcher watcher, boolean canBeReadOnly, Traffic traffic) throws java.io.IOException {
            super(connectString, sessionTimeout, watcher, canBeReadOnly);
            this.t = traffic;
        }

        private AsyncCallback.StringCallback wrap(AsyncCallback.StringCallback cb) {
            t.started();
            return (rc, path, ctx, name) -> {
                try {
                    if (cb != null) cb.processResult(rc, path, ctx, name);
                } finally {
                    t.finished();
                }
            };
        }

        private AsyncCallback.Create2Callback wrap(AsyncCallback.Create2Callback cb) {
            t.started();
            return (rc, path, ctx, name, stat) -> {
                try {
                    if (cb != null) cb.processResult(rc, path, ctx, name, stat);
                } finally {
                    t.finished();
                }
            };
        }

        private AsyncCallback.VoidCallback wrap(AsyncCallback.VoidCallback cb) {
            t.started();
            return (rc, path, ctx) -> {
                try {
                    if (cb != null) cb.processResult(rc, path, ctx);
                } finally {
                    t.finished();
                }
            };
        }

        private AsyncCallback.StatCallback wrap(AsyncCallback.StatCallback cb) {
            t.started();
            return (rc, path, ctx, stat) -> {
                try {
                    if (cb != null) cb.processResult(rc, path, ctx, stat);
                } finally {
                    t.finished();
                }
            };
        }

        /** `onAnswer` runs after the callback, before the call stops counting. */
        private AsyncCallback.DataCallback wrap(AsyncCallback.DataCallback cb, Runnable onAnswer) {
            t.started();
            return (rc, path, ctx, data, stat) -> {
                try {
                    if (cb != null) cb.processResult(rc, path, ctx, data, stat);
                    onAnswer.run();
                } finally {
                    t.finished();
                }
            };
        }

        private AsyncCallback.ChildrenCallback wrap(AsyncCallback.ChildrenCallback cb) {
            t.started();
            return (rc, path, ctx, children) -> {
                try {
                    if (cb != null) cb.processResult(rc, path, ctx, children);
                } finally {
                    t.finished();
                }
            };
        }

        private AsyncCallback.Children2Callback wrap(AsyncCallback.Children2Callback cb) {
            t.started();
            return (rc, path, ctx, children, stat) -> {
                try {
                    if (cb != null) cb.processResult(rc, path, ctx, children, stat);
                } finally {
                    t.finished();
                }
            };
        }

        private AsyncCallback.MultiCallback wrap(AsyncCallback.MultiCallback cb) {
            t.started();
            return (rc, path, ctx, results) -> {
                try {
                    if (cb != null) cb.processResult(rc, path, ctx, results);
                } finally {
                    t.finished();
                }
            };
        }

        // The ZooKeeper methods that take a boolean watch call the Watcher ones, so a call may be
        // counted twice; it is also finished twice, which keeps the count right.

        @Override
        public void create(String path, byte[] data, List<ACL> acl, CreateMode mode, AsyncCallback.StringCallback cb, Object ctx) {
            super.create(path, data, acl, mode, wrap(cb), ctx);
        }

        @Override
        public void create(String path, byte[] data, List<ACL> acl, CreateMode mode, AsyncCallback.Create2Callback cb, Object ctx) {
            super.create(path, data, acl, mode, wrap(cb), ctx);
        }

        @Override
        public void create(String path, byte[] data, List<ACL> acl, CreateMode mode, AsyncCallback.Create2Callback cb, Object ctx, long ttl) {
            super.create(path, data, acl, mode, wrap(cb), ctx, ttl);
        }

        @Override
        public void delete(String path, int version, AsyncCallback.VoidCallback cb, Object ctx) {
            super.delete(path, version, wrap(cb), ctx);
        }

        @Override
        public void exists(String path, Watcher watcher, AsyncCallback.StatCallback cb, Object ctx) {
            super.exists(path, watcher, wrap(cb), ctx);
        }

        @Override
        public void exists(String path, boolean watch, AsyncCallback.StatCallback cb, Object ctx) {
            super.exists(path, watch, wrap(cb), ctx);
        }

        @Override
        public void getData(String path, Watcher watcher, AsyncCallback.DataCallback cb, Object ctx) {
            super.getData(path, watcher, wrap(cb, () -> {
                if (watcher != null) t.watchedRead(path);
            }), ctx);
        }

        @Override
        public void getData(String path, boolean watch, AsyncCallback.DataCallback cb, Object ctx) {
            super.getData(path, watch, wrap(cb, () -> {}), ctx);
        }

        @Override
        public byte[] getData(String path, Watcher watcher, Stat stat) throws KeeperException, InterruptedException {
            byte[] data = super.getData(path, watcher, stat);
            if (watcher != null) t.watchedRead(path);
            return data;
        }

        @Override
        public void setData(String path, byte[] data, int version, AsyncCallback.StatCallback cb, Object ctx) {
            super.setData(path, data, version, wrap(cb), ctx);
        }

        @Override
        public void getChildren(String path, Watcher watcher, AsyncCallback.ChildrenCallback cb, Object ctx) {
            super.getChildren(path, watcher, wrap(cb), ctx);
        }

        @Override
        public void getChildren(String path, boolean watch, AsyncCallback.ChildrenCallback cb, Object ctx) {
            super.getChildren(path, watch, wrap(cb), ctx);
        }

        @Override
        public void getChildren(String path, Watcher watcher, AsyncCallback.Children2Callback cb, Object ctx) {
            super.getChildren(path, watcher, wrap(cb), ctx);
        }

        @Override
        public void getChildren(String path, boolean watch, AsyncCallback.Children2Callback cb, Object ctx) {
            super.getChildren(path, watch, wrap(cb), ctx);
        }

        @Override
        public void sync(String path, AsyncCallback.VoidCallback cb, Object ctx) {
            super.sync(path, wrap(cb), ctx);
        }

        @Override
        public void multi(Iterable<Op> ops, AsyncCallback.MultiCallback cb, Object ctx) {
            super.multi(ops, wrap(cb), ctx);
        }

        @Override
        public void getConfig(Watcher watcher, AsyncCallback.DataCallback cb, Object ctx) {
            super.getConfig(watcher, wrap(cb, t::configRead), ctx);
        }

        @Override
        public void getConfig(boolean watch, AsyncCallback.DataCallback cb, Object ctx) {
            super.getConfig(watch, wrap(cb, () -> {}), ctx);
        }

        @Override
        public void addWatch(String path, Watcher watcher, AddWatchMode mode, AsyncCallback.VoidCallback cb, Object ctx) {
            super.addWatch(path, watcher, mode, wrap(cb), ctx);
        }

        @Override
        public void addWatch(String path, AddWatchMode mode, AsyncCallback.VoidCallback cb, Object ctx) {
            super.addWatch(path, mode, wrap(cb), ctx);
        }

        @Override
        public void removeWatches(String path, Watcher watcher, WatcherType type, boolean local, AsyncCallback.VoidCallback cb, Object ctx) {
            super.removeWatches(path, watcher, type, local, wrap(cb), ctx);
        }

        @Override
        public void removeAllWatches(String path, WatcherType type, boolean local, AsyncCallback.VoidCallback cb, Object ctx) {
            super.removeAllWatches(path, type, local, wrap(cb), ctx);
        }
    }

    /** A started Curator client whose traffic can be waited on. */
    static final class Client {
        final CuratorFramework curator;
        final Traffic traffic;

        Client(String name, String connectString) throws Exception {
            traffic = new Traffic(name);
            ZookeeperFactory factory = (cs, timeout, watcher, readOnly) -> new TrackedZooKeeper(cs, timeout, watcher, readOnly, traffic);
            curator = CuratorFrameworkFactory.builder()
                    .connectString(connectString)
                    .retryPolicy(new ExponentialBackoffRetry(1000, 3))
                    .zookeeperFactory(factory)
                    .build();
            curator.start();
            check(curator.blockUntilConnected((int) WAIT_SECONDS, TimeUnit.SECONDS), name + " connected");
            // The EnsembleTracker reads /zookeeper/config when the client starts; let it finish.
            traffic.awaitConfigRead();
            traffic.awaitQuiet();
        }

        void quiet() throws InterruptedException {
            traffic.awaitQuiet();
        }
    }

    /** Events a listener saw, by "<what> <path>"; waited on in any order. */
    static final class Events {
        final String name;
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

        Events(String name) {
            this.name = name;
        }

        void add(String event) {
            queue.add(event);
        }

        void expect(String... wanted) throws InterruptedException {
            List<String> missing = new ArrayList<>(Arrays.asList(wanted));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!missing.isEmpty()) {
                String got = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (got == null) throw new IllegalStateException(name + ": no " + missing + " within " + WAIT_SECONDS + " s");
                if (!missing.remove(got)) throw new IllegalStateException(name + ": unexpected " + got + " while waiting for " + missing);
            }
        }

        void expectNone() {
            String got = queue.poll();
            if (got != null) throw new IllegalStateException(name + ": unexpected " + got);
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new IllegalStateException("check failed: " + what);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void run(String connectString) throws Exception {
        Client one = new Client("one", connectString);
        CuratorFramework c1 = one.curator;
        c1.create().forPath(ROOT, bytes("root"));

        // CuratorCache: built over a nested tree, then kept in step with creates, updates and deletes.
        String cacheRoot = ROOT + "/cache";
        c1.create().creatingParentsIfNeeded().forPath(cacheRoot + "/a/b", bytes("b1"));
        c1.create().forPath(cacheRoot + "/c", bytes("c1"));
        Events cacheEvents = new Events("cache");
        CuratorCache cache = CuratorCache.build(c1, cacheRoot);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, before, after) -> cacheEvents.add(type + " " + (after != null ? after : before).getPath()))
                .forInitialized(() -> cacheEvents.add("initialized"))
                .build());
        cache.start();
        cacheEvents.expect("NODE_CREATED " + cacheRoot, "NODE_CREATED " + cacheRoot + "/a", "NODE_CREATED " + cacheRoot + "/a/b", "NODE_CREATED " + cacheRoot + "/c", "initialized");
        one.quiet();
        check(cache.size() == 4, "the cache holds the tree");
        c1.create().forPath(cacheRoot + "/a/d", bytes("d1"));
        cacheEvents.expect("NODE_CREATED " + cacheRoot + "/a/d");
        one.quiet();
        c1.setData().forPath(cacheRoot + "/a/b", bytes("b2"));
        cacheEvents.expect("NODE_CHANGED " + cacheRoot + "/a/b");
        one.quiet();
        check(new String(cache.get(cacheRoot + "/a/b").get().getData(), StandardCharsets.UTF_8).equals("b2"), "the cache has the new data");
        c1.delete().forPath(cacheRoot + "/c");
        cacheEvents.expect("NODE_DELETED " + cacheRoot + "/c");
        one.quiet();
        c1.delete().deletingChildrenIfNeeded().forPath(cacheRoot + "/a");
        cacheEvents.expect("NODE_DELETED " + cacheRoot + "/a/b", "NODE_DELETED " + cacheRoot + "/a/d", "NODE_DELETED " + cacheRoot + "/a");
        one.quiet();
        check(cache.size() == 1, "only the cache's root is left");
        cache.close();
        one.quiet();
        cacheEvents.expectNone();

        // PersistentWatcher on one node (not recursive): data and child changes, then removed.
        String watched = ROOT + "/watched";
        c1.create().forPath(watched, bytes("w1"));
        Events watchEvents = new Events("persistent watcher");
        PersistentWatcher watcher = new PersistentWatcher(c1, watched, false);
        watcher.getListenable().addListener(e -> watchEvents.add(e.getType() + " " + e.getPath()));
        watcher.getResetListenable().addListener(() -> watchEvents.add("reset"));
        watcher.start();
        watchEvents.expect("reset");
        one.quiet();
        c1.setData().forPath(watched, bytes("w2"));
        watchEvents.expect("NodeDataChanged " + watched);
        c1.create().forPath(watched + "/kid");
        watchEvents.expect("NodeChildrenChanged " + watched);
        one.quiet();
        watcher.close();
        one.quiet();
        c1.setData().forPath(watched, bytes("w3"));
        watchEvents.expectNone();

        // InterProcessMutex: the second client waits on the first's lock node until it is released.
        Client two = new Client("two", connectString);
        CuratorFramework c2 = two.curator;
        String lockPath = ROOT + "/lock";
        InterProcessMutex first = new InterProcessMutex(c1, lockPath);
        InterProcessMutex second = new InterProcessMutex(c2, lockPath);
        check(first.acquire(WAIT_SECONDS, TimeUnit.SECONDS), "the first client takes the lock");
        int lockReads = two.traffic.watchedReads(lockPath + "/");
        // A mutex belongs to the thread that took it, so the second takes and releases on one thread.
        ExecutorService secondThread = Executors.newSingleThreadExecutor();
        Future<Boolean> secondGot = secondThread.submit(() -> second.acquire(WAIT_SECONDS, TimeUnit.SECONDS));
        two.traffic.awaitWatchedRead(lockPath + "/", lockReads);
        check(!secondGot.isDone(), "the second client waits");
        check(c1.getChildren().forPath(lockPath).size() == 2, "two contenders");
        first.release();
        check(secondGot.get(WAIT_SECONDS, TimeUnit.SECONDS), "the second client takes the lock once it is released");
        check(second.isAcquiredInThisProcess(), "the second client holds the lock");
        secondThread.submit(() -> {
            second.release();
            return null;
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        secondThread.shutdown();
        one.quiet();
        two.quiet();
        check(c1.getChildren().forPath(lockPath).isEmpty(), "no lock nodes are left");

        // LeaderLatch: the first latch leads; the second watches it and leads once it closes.
        String latchPath = ROOT + "/leader";
        LeaderLatch leader = new LeaderLatch(c1, latchPath, "one");
        leader.start();
        check(leader.await(WAIT_SECONDS, TimeUnit.SECONDS), "the first latch leads");
        one.quiet();
        int latchReads = two.traffic.watchedReads(latchPath + "/");
        LeaderLatch follower = new LeaderLatch(c2, latchPath, "two");
        follower.start();
        two.traffic.awaitWatchedRead(latchPath + "/", latchReads);
        two.quiet();
        check(!follower.hasLeadership(), "the second latch follows");
        check(leader.getLeader().getId().equals("one"), "the leader is known by id");
        leader.close();
        one.quiet();
        check(follower.await(WAIT_SECONDS, TimeUnit.SECONDS), "the second latch leads once the first closes");
        two.quiet();
        follower.close();
        two.quiet();

        // SharedCount: a change by the other client reaches the listener; its own change is
        // read back by its watch.
        String countPath = ROOT + "/count";
        SharedCount count = new SharedCount(c1, countPath, 0);
        BlockingQueue<Integer> counts = new LinkedBlockingQueue<>();
        count.addListener(new SharedCountListener() {
            @Override
            public void countHasChanged(SharedCountReader reader, int value) {
                counts.add(value);
            }

            @Override
            public void stateChanged(CuratorFramework client, ConnectionState state) {}
        });
        count.start();
        check(count.getCount() == 0, "the count starts at its seed");
        c2.setData().forPath(countPath, ByteBuffer.allocate(4).putInt(7).array());
        Integer seen = counts.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        check(seen != null && seen == 7, "the listener sees the other client's count (" + seen + ")");
        one.quiet();
        int countReads = one.traffic.watchedReads(countPath);
        VersionedValue<Integer> before = count.getVersionedValue();
        check(count.trySetCount(before, 8), "trySetCount with the current version");
        one.traffic.awaitWatchedRead(countPath, countReads);
        one.quiet();
        check(!count.trySetCount(before, 9), "trySetCount with a stale version fails");
        check(count.getCount() == 8, "the count is 8");
        count.close();
        one.quiet();

        // DistributedAtomicLong: optimistic increments on the second client.
        DistributedAtomicLong atomic = new DistributedAtomicLong(c2, ROOT + "/atomic", new RetryNTimes(3, 100));
        AtomicValue<Long> inc = atomic.increment();
        check(inc.succeeded() && inc.postValue() == 1, "increment from nothing");
        inc = atomic.add(41L);
        check(inc.succeeded() && inc.preValue() == 1 && inc.postValue() == 42, "add");
        check(atomic.compareAndSet(42L, 43L).succeeded(), "compareAndSet");
        check(!atomic.compareAndSet(42L, 44L).succeeded(), "compareAndSet with a stale value fails");
        check(atomic.get().postValue() == 43, "the value is 43");

        // Transactions: one that commits (with a check), one that aborts on a check.
        List<CuratorOp> ops = List.of(
                c1.transactionOp().create().forPath(ROOT + "/t1", bytes("a")),
                c1.transactionOp().create().withMode(CreateMode.EPHEMERAL).forPath(ROOT + "/t2"),
                c1.transactionOp().setData().forPath(ROOT + "/t1", bytes("b")),
                c1.transactionOp().check().withVersion(1).forPath(ROOT + "/t1"),
                c1.transactionOp().delete().forPath(ROOT + "/t2"));
        Collection<CuratorTransactionResult> results = c1.transaction().forOperations(ops);
        check(results.size() == 5, "the transaction commits every op");
        try {
            c1.transaction().forOperations(List.of(
                    c1.transactionOp().create().forPath(ROOT + "/t3"),
                    c1.transactionOp().check().withVersion(0).forPath(ROOT + "/t1")));
            throw new IllegalStateException("a transaction with a failed check committed");
        } catch (KeeperException.BadVersionException expected) {
            // The point: nothing of it was applied.
        }
        check(c1.checkExists().forPath(ROOT + "/t3") == null, "an aborted transaction applies nothing");

        two.curator.close();
        one.curator.close();
    }
}
