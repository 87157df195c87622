// The plain Java client with a JAAS Client section (DIGEST-MD5) against one server. Run with
// -Djava.security.auth.login.config=<file>, or without it for a client that does not use SASL.
//   java JavaSasl.java <connectString> <mode>
// mode "ok": expects SaslAuthenticated, then shows whoAmI and uses a sasl ACL.
// mode "wrong": expects AuthFailed and a failing request.
// mode "none": expects the server to refuse the first request (enforced SASL).
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;

public class JavaSasl {
    public static void main(String[] args) throws Exception {
        String connect = args[0];
        String mode = args[1];
        CountDownLatch saslDone = new CountDownLatch(1);
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 30000, event -> {
            KeeperState s = event.getState();
            if (s == KeeperState.SyncConnected) connected.countDown();
            if (s == KeeperState.SaslAuthenticated || s == KeeperState.AuthFailed) {
                System.out.println("event " + s);
                saslDone.countDown();
            }
        });
        try {
            if (mode.equals("none")) {
                if (!connected.await(30, TimeUnit.SECONDS)) fail("no SyncConnected");
                try {
                    zk.exists("/", false);
                    fail("exists was answered without SASL");
                } catch (KeeperException e) {
                    System.out.println("refused " + e.code());
                }
            } else {
                if (!saslDone.await(30, TimeUnit.SECONDS)) fail("no SASL outcome");
                if (mode.equals("ok")) {
                    for (ClientInfo c : zk.whoAmI()) System.out.println("whoami " + c.getAuthScheme() + ":" + c.getUser());
                    List<ACL> bobOnly = new ArrayList<>();
                    bobOnly.add(new ACL(ZooDefs.Perms.ALL, new Id("sasl", "bob")));
                    zk.create("/java-sasl", "v".getBytes(), bobOnly, CreateMode.PERSISTENT);
                    System.out.println("read " + new String(zk.getData("/java-sasl", false, null)));
                    for (ACL a : zk.getACL("/java-sasl", null)) System.out.println("acl " + a.getPerms() + " " + a.getId().getScheme() + ":" + a.getId().getId());
                    zk.delete("/java-sasl", -1);
                } else {
                    try {
                        zk.exists("/", false);
                        fail("exists was answered after AuthFailed");
                    } catch (KeeperException e) {
                        System.out.println("refused " + e.code());
                    }
                }
            }
            System.out.println("JAVA SASL DONE");
        } finally {
            zk.close();
        }
    }

    private static void fail(String why) {
        System.out.println("FAIL " + why);
        System.exit(1);
    }
}
