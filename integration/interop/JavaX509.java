// The plain Java client over TLS with a client certificate, and the x509 ACL scheme: an owner whose
// key store holds one certificate protects a node with its own x509 id (as whoAmI shows it) and reads
// it; a stranger with another certificate is refused. Each client gets its key store through its own
// ZKClientConfig (zookeeper.ssl.keyStore.*), both trust the CA in the trust store.
//   java JavaX509.java <secureConnectString> <ownerKeyStore> <strangerKeyStore> <trustStore> <password>
// Prints one line per check and "JAVA X509 OK" at the end.
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;

public class JavaX509 {
    static ZooKeeper connect(String connectString, String keyStore, String trustStore, String password) throws Exception {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty("zookeeper.client.secure", "true");
        config.setProperty("zookeeper.clientCnxnSocket", "org.apache.zookeeper.ClientCnxnSocketNetty");
        config.setProperty("zookeeper.ssl.keyStore.location", keyStore);
        config.setProperty("zookeeper.ssl.keyStore.password", password);
        config.setProperty("zookeeper.ssl.trustStore.location", trustStore);
        config.setProperty("zookeeper.ssl.trustStore.password", password);
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString, 30000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        }, config);
        if (!connected.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("not connected over TLS");
        return zk;
    }

    public static void main(String[] args) throws Exception {
        String path = "/java-x509";
        ZooKeeper owner = connect(args[0], args[1], args[3], args[4]);
        String subject = null;
        for (ClientInfo c : owner.whoAmI()) {
            System.out.println("owner whoami " + c.getAuthScheme() + ":" + c.getUser());
            if (c.getAuthScheme().equals("x509")) subject = c.getUser();
        }
        List<ACL> ownerOnly = Collections.singletonList(new ACL(ZooDefs.Perms.ALL, new Id("x509", subject)));
        owner.create(path, "mine".getBytes(), ownerOnly, CreateMode.PERSISTENT);
        System.out.println("owner read " + new String(owner.getData(path, false, null)));
        for (ACL a : owner.getACL(path, null)) System.out.println("acl " + a.getPerms() + " " + a.getId().getScheme() + ":" + a.getId().getId());

        ZooKeeper stranger = connect(args[0], args[2], args[3], args[4]);
        for (ClientInfo c : stranger.whoAmI()) System.out.println("stranger whoami " + c.getAuthScheme() + ":" + c.getUser());
        try {
            stranger.getData(path, false, null);
            System.out.println("stranger read it");
        } catch (KeeperException e) {
            System.out.println("stranger refused " + e.code());
        }
        stranger.close();
        owner.delete(path, -1);
        owner.close();
        System.out.println("JAVA X509 OK");
    }
}
