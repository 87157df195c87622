// A Curator 5 participant driven line by line on stdin, for interop tests with zookit's recipes:
//   lock | release | try <ms> | latch | unlatch | quit
// It answers HELD, RELEASED, GOT true|false, LEADER / NOTLEADER (as leadership changes), BYE.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;

public class CuratorPeer {
    public static void main(String[] args) throws Exception {
        CuratorFramework c = CuratorFrameworkFactory.newClient(args[0], 10000, 5000, new ExponentialBackoffRetry(100, 3));
        c.start();
        c.blockUntilConnected(20, TimeUnit.SECONDS);
        InterProcessMutex mutex = new InterProcessMutex(c, args[1] + "/lock");
        LeaderLatch latch = null;
        System.out.println("READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.trim().split(" ");
            switch (w[0]) {
                case "lock": mutex.acquire(); System.out.println("HELD"); break;
                case "release": mutex.release(); System.out.println("RELEASED"); break;
                case "try": {
                    boolean got = mutex.acquire(Long.parseLong(w[1]), TimeUnit.MILLISECONDS);
                    System.out.println("GOT " + got);
                    break;
                }
                case "latch":
                    latch = new LeaderLatch(c, args[1] + "/latch", "java");
                    latch.addListener(new LeaderLatchListener() {
                        public void isLeader() { System.out.println("LEADER"); }
                        public void notLeader() { System.out.println("NOTLEADER"); }
                    });
                    latch.start();
                    System.out.println("LATCHED");
                    break;
                case "unlatch": latch.close(); System.out.println("UNLATCHED"); break;
                case "quit": c.close(); System.out.println("BYE"); return;
            }
        }
    }
}
