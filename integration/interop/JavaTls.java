// The plain Java client over TLS (zookeeper.client.secure with the Netty socket; the key and trust
// stores come as system properties) against the secure port given on the command line: connect,
// create, read, a data watch, an ephemeral. Prints one line per check and "JAVA TLS OK" at the end.
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

public class JavaTls {
    public static void main(String[] args) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(args[0], 10000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        });
        if (!connected.await(20, TimeUnit.SECONDS)) throw new IllegalStateException("not connected over TLS");
        System.out.println("connected");
        String root = args[1];
        zk.create(root, "v1".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        LinkedBlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
        Stat stat = new Stat();
        System.out.println("get " + new String(zk.getData(root, events::add, stat)) + " " + stat.getVersion());
        zk.setData(root, "v2".getBytes(), 0);
        WatchedEvent ev = events.poll(10, TimeUnit.SECONDS);
        System.out.println("event " + (ev == null ? "none" : ev.getType() + " " + ev.getPath()));
        zk.create(root + "/e", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        System.out.println("children " + zk.getChildren(root, false));
        zk.close();
        System.out.println("JAVA TLS OK");
    }
}
