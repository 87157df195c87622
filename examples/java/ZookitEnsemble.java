// The bundled zookit ensemble as a subprocess of a Java test, driven through its HTTP control plane
// (`zookit ensemble --control-port 0`). Copy this file into a project's tests; it needs only the JDK.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class ZookitEnsemble implements AutoCloseable {
    /** "127.0.0.1:port,…" for ZooKeeper clients. */
    public final String connectString;
    /** The control plane's base URL, "http://127.0.0.1:port". */
    public final String controlUrl;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    private ZookitEnsemble(Process process, String connectString, String controlUrl) {
        this.process = process;
        this.connectString = connectString;
        this.controlUrl = controlUrl;
    }

    /**
     * Start `zookit ensemble --size N --processes --port 0 --control-port 0` from a zookit checkout
     * (system property zookit.repo, else $ZOOKIT_REPO, else the working directory) and read the two
     * lines it prints that matter: the connect string first, then "control: URL".
     */
    public static ZookitEnsemble start(int size) throws Exception {
        String repo = System.getProperty("zookit.repo", System.getenv().getOrDefault("ZOOKIT_REPO", "."));
        List<String> command = List.of(System.getenv().getOrDefault("NODE", "node"), "--import", "tsx", "src/cli.ts",
                "ensemble", "--size", String.valueOf(size), "--processes", "--port", "0", "--control-port", "0");
        Process p = new ProcessBuilder(command).directory(Path.of(repo).toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        // Not left running should the JVM stop without close().
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String[]> lines = CompletableFuture.supplyAsync(() -> {
            try {
                String connect = out.readLine();
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("control: ")) return new String[] {connect, line.substring("control: ".length())};
                }
                throw new IllegalStateException("zookit exited before printing its control URL (see its stderr above)");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            String[] got = lines.get(60, TimeUnit.SECONDS);
            return new ZookitEnsemble(p, got[0], got[1]);
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** One request; the JSON answer, or an exception carrying the control plane's { "error": … }. */
    public String call(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher body = json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json);
        HttpRequest req = HttpRequest.newBuilder(URI.create(controlUrl + path)).method(method, body)
                .header("content-type", "application/json").timeout(Duration.ofSeconds(60)).build();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() / 100 != 2) throw new IllegalStateException(method + " " + path + " -> " + res.statusCode() + " " + res.body());
        return res.body();
    }

    public String post(String path) throws IOException, InterruptedException {
        return call("POST", path, null);
    }

    /** Index (0-based) of the server that leads now, or -1 during an election. */
    public int leader() throws IOException, InterruptedException {
        Matcher m = Pattern.compile("\"leader\":(\\d+)").matcher(call("GET", "/ensemble", null));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Wait until a leader serves with a majority; its index. */
    public int waitForLeader(Duration timeout) throws IOException, InterruptedException {
        Matcher m = Pattern.compile("\"leader\":(\\d+)").matcher(call("GET", "/ensemble/leader?waitMs=" + timeout.toMillis(), null));
        if (!m.find()) throw new IllegalStateException("no leader in the answer");
        return Integer.parseInt(m.group(1));
    }

    /** Each server's mode, by index: leader, follower, looking or down. */
    public List<String> modes() throws IOException, InterruptedException {
        Matcher m = Pattern.compile("\"mode\":\"(\\w+)\"").matcher(call("GET", "/ensemble", null));
        List<String> modes = new ArrayList<>();
        while (m.find()) modes.add(m.group(1));
        return modes;
    }

    public void kill(int i) throws IOException, InterruptedException {
        post("/ensemble/servers/" + i + "/kill");
    }

    public void restart(int i) throws IOException, InterruptedException {
        post("/ensemble/servers/" + i + "/restart");
    }

    /** Empty the tree (all but /zookeeper); the servers stay up and open sessions stay open. */
    public void reset() throws IOException, InterruptedException {
        post("/ensemble/reset");
    }

    /** Stop the ensemble over HTTP, then make sure the process is gone. */
    @Override
    public void close() throws Exception {
        try {
            post("/ensemble/stop");
        } finally {
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
        }
    }
}
