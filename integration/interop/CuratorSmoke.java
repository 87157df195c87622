// Curator 5 against a server given on the command line: connect, CRUD, a mutex, a leader latch,
// and a shared counter. Prints one line per check and "CURATOR OK" at the end; exits non-zero on failure.
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;

public class CuratorSmoke {
    public static void main(String[] args) throws Exception {
        CuratorFramework c = CuratorFrameworkFactory.newClient(args[0], 10000, 5000, new ExponentialBackoffRetry(100, 3));
        c.start();
        if (!c.blockUntilConnected(20, TimeUnit.SECONDS)) throw new IllegalStateException("not connected");
        c.create().creatingParentContainersIfNeeded().forPath("/curator/a/b", "x".getBytes());
        c.setData().forPath("/curator/a/b", "y".getBytes());
        System.out.println("data " + new String(c.getData().forPath("/curator/a/b")));
        c.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath("/curator/e-");
        System.out.println("children " + c.getChildren().forPath("/curator").size());
        InterProcessMutex m = new InterProcessMutex(c, "/curator/lock");
        if (!m.acquire(10, TimeUnit.SECONDS)) throw new IllegalStateException("mutex");
        System.out.println("mutex nodes " + c.getChildren().forPath("/curator/lock"));
        m.release();
        LeaderLatch latch = new LeaderLatch(c, "/curator/latch", "me");
        latch.start();
        if (!latch.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("latch");
        System.out.println("leader " + latch.hasLeadership());
        latch.close();
        DistributedAtomicLong n = new DistributedAtomicLong(c, "/curator/counter", new RetryNTimes(3, 10));
        for (int i = 0; i < 5; i++) n.increment();
        System.out.println("counter " + n.get().postValue());
        c.delete().deletingChildrenIfNeeded().forPath("/curator/a");
        c.close();
        System.out.println("CURATOR OK");
    }
}
