// JUnit 5: the ZooKeeper Java client and Curator keep their session when the leader of a three-server
// zookit ensemble (each server a process of its own) is killed through the control plane. One
// ensemble for the class; each test starts from an empty tree and a full ensemble.
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EnsembleFailoverTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static ZookitEnsemble ensemble;

    @BeforeAll
    static void startEnsemble() throws Exception {
        ensemble = ZookitEnsemble.start(3);
    }

    @AfterAll
    static void stopEnsemble() throws Exception {
        if (ensemble != null) ensemble.close();
    }

    @BeforeEach
    void emptyTree() throws Exception {
        ensemble.reset();
    }

    /** What a test killed comes back, so the next one starts with three servers. */
    @AfterEach
    void restartKilled() throws Exception {
        List<String> modes = ensemble.modes();
        for (int i = 0; i < modes.size(); i++) if (modes.get(i).equals("down")) ensemble.restart(i);
        ensemble.waitForLeader(WAIT);
    }

    /** The next state the queue holds that is one of `wanted`; fails on a timeout. */
    static <T> T next(BlockingQueue<T> states, List<T> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            T s = states.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (s == null) throw new AssertionError("none of " + wanted + " within " + WAIT);
            if (wanted.contains(s)) return s;
        }
    }

    /** Kill the leader over HTTP and wait for the survivors to elect another. */
    static void killLeader() throws Exception {
        int leader = ensemble.waitForLeader(WAIT);
        ensemble.kill(leader);
        assertNotEquals(leader, ensemble.waitForLeader(WAIT), "another server leads");
    }

    /**
     * Run `op`, again after each connection loss once the client has reconnected. A client may lose
     * its connection more than once in a failover: a follower that has not yet noticed the leader's
     * death accepts it, then drops it as it joins the election.
     */
    static <T> T retry(BlockingQueue<KeeperState> states, Callable<T> op) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return op.call();
            } catch (KeeperException.ConnectionLossException e) {
                if (System.nanoTime() > deadline) throw e;
                next(states, List.of(KeeperState.SyncConnected));
            }
        }
    }

    @Test
    void zooKeeperClientKeepsItsSession() throws Exception {
        BlockingQueue<KeeperState> states = new LinkedBlockingQueue<>();
        List<KeeperState> seen = new CopyOnWriteArrayList<>();
        ZooKeeper zk = new ZooKeeper(ensemble.connectString, 10_000, e -> {
            if (e.getPath() != null) return;
            states.add(e.getState());
            seen.add(e.getState());
        });
        try {
            next(states, List.of(KeeperState.SyncConnected));
            zk.create("/worker", "busy".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            long session = zk.getSessionId();

            killLeader();
            retry(states, () -> zk.setData("/worker", "after failover".getBytes(), -1));

            assertTrue(seen.contains(KeeperState.Disconnected), "the client noticed the failover");
            assertFalse(seen.contains(KeeperState.Expired), "the session never expired");
            assertEquals(session, zk.getSessionId(), "same session after failover");
            Stat worker = new Stat();
            byte[] data = retry(states, () -> zk.getData("/worker", false, worker));
            assertEquals("after failover", new String(data), "the write went through");
            assertEquals(session, worker.getEphemeralOwner(), "the ephemeral made before the failover is still there");
        } finally {
            zk.close();
        }
    }

    @Test
    void curatorKeepsItsSession() throws Exception {
        CuratorFramework curator = CuratorFrameworkFactory.newClient(ensemble.connectString, 10_000, 5_000, new ExponentialBackoffRetry(100, 10));
        BlockingQueue<ConnectionState> states = new LinkedBlockingQueue<>();
        curator.getConnectionStateListenable().addListener((c, s) -> states.add(s));
        curator.start();
        try {
            assertTrue(curator.blockUntilConnected(30, TimeUnit.SECONDS));
            curator.create().withMode(CreateMode.EPHEMERAL).forPath("/curator-worker", "busy".getBytes());
            long session = curator.getZookeeperClient().getZooKeeper().getSessionId();

            killLeader();
            // Curator's retry policy waits out the connection losses of the failover.
            curator.setData().forPath("/curator-worker", "after failover".getBytes());
            assertEquals(ConnectionState.SUSPENDED, next(states, List.of(ConnectionState.SUSPENDED, ConnectionState.LOST)));
            assertEquals(ConnectionState.RECONNECTED, next(states, List.of(ConnectionState.RECONNECTED, ConnectionState.LOST)));

            assertEquals(session, curator.getZookeeperClient().getZooKeeper().getSessionId(), "same session after failover");
            Stat worker = new Stat();
            byte[] data = curator.getData().storingStatIn(worker).forPath("/curator-worker");
            assertEquals("after failover", new String(data), "the write went through");
            assertEquals(session, worker.getEphemeralOwner(), "the ephemeral made before the failover is still there");
            assertFalse(states.contains(ConnectionState.LOST), "the session was never lost");
        } finally {
            curator.close();
        }
    }
}
