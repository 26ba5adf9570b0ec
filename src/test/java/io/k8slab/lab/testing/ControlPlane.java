package io.k8slab.lab.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A real control plane on loopback: etcd and kube-apiserver as two processes of their own, so a test can kill
 * and restart the API server while etcd keeps every object, as when a control plane node's apiserver pod is
 * restarted. Certificates come from {@code openssl}; the binaries from {@code hack/test-binaries.sh}.
 *
 * <p>The Service ranges are a lab's, wide enough for thousands of LoadBalancer Services (each takes a ClusterIP
 * and a NodePort). If a binary is missing or a process does not come up, {@link #start} throws with the reason
 * and the log to read.
 */
public final class ControlPlane implements AutoCloseable {

    /** The Kubernetes version of the test binaries. */
    public static final String KUBERNETES_VERSION = "1.20.2";
    /** The lab's Service network (ClusterIPs). */
    public static final String SERVICE_CIDR = "10.96.0.0/16";
    /** NodePorts for up to 22,767 Services of type NodePort or LoadBalancer (Kubernetes' default allows 2,768). */
    static final String NODE_PORT_RANGE = "10000-32767";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final Path binaries;
    private final List<String> extraFlags;
    private final int etcdPort;
    private final int apiServerPort;
    private final Process etcd;
    private volatile Process apiServer;

    private ControlPlane(Path dir, List<String> extraFlags) throws IOException {
        this.dir = dir;
        this.extraFlags = List.copyOf(extraFlags);
        // A test JVM that ends, or dies, leaves no control plane running and no etcd data behind (hundreds of MB
        // after a benchmark); the logs stay for a post-mortem.
        Runtime.getRuntime().addShutdownHook(new Thread(this::closeAndRemoveData));
        binaries = binaries();
        makeCertificates();
        etcdPort = freePort();
        apiServerPort = freePort();
        int peerPort = freePort();
        etcd = launch("etcd", List.of(binaries.resolve("etcd").toString(),
                "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", "http://127.0.0.1:" + etcdPort,
                "--advertise-client-urls", "http://127.0.0.1:" + etcdPort,
                "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-cluster", "default=http://127.0.0.1:" + peerPort));
        writeKubeconfig();
        startApiServer();
    }

    /** Starts etcd and kube-apiserver with their state under {@code dir}, adding {@code extraFlags} to the API server's. */
    public static ControlPlane start(Path dir, List<String> extraFlags) {
        try {
            return new ControlPlane(dir, extraFlags);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path kubeconfig() {
        return dir.resolve("kubeconfig");
    }

    /** A fresh admin client (system:masters) with its own user agent. */
    public KubernetesClient newClient(String userAgent) {
        Config config = Config.fromKubeconfig(readKubeconfig());
        config.setUserAgent(userAgent);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    String readKubeconfig() {
        try {
            return Files.readString(kubeconfig());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the API server (SIGKILL), leaves it down for {@code downtime}, starts it again on the same port and waits until it is ready. */
    public void restartApiServer(Duration downtime) {
        killApiServer();
        sleep(downtime);
        startApiServer();
    }

    public void killApiServer() {
        stop(apiServer);
    }

    private void startApiServer() {
        List<String> command = new ArrayList<>(List.of(binaries.resolve("kube-apiserver").toString(),
                "--etcd-servers", "http://127.0.0.1:" + etcdPort,
                "--bind-address", "127.0.0.1",
                "--secure-port", Integer.toString(apiServerPort),
                "--cert-dir", dir.toString(),
                "--tls-cert-file", file("apiserver.crt"),
                "--tls-private-key-file", file("apiserver.key"),
                "--client-ca-file", file("ca.crt"),
                "--service-account-issuer", "https://kubernetes.default.svc",
                "--service-account-key-file", file("sa.key"),
                "--service-account-signing-key-file", file("sa.key"),
                "--service-cluster-ip-range", SERVICE_CIDR,
                "--service-node-port-range", NODE_PORT_RANGE,
                "--authorization-mode", "RBAC",
                "--disable-admission-plugins", "ServiceAccount",
                // Webhooks (MetalLB's) are called at their Service's endpoints, which nothing here fills, so a call
                // fails at once instead of dialling a ClusterIP that only exists in a real cluster's network.
                "--enable-aggregator-routing=true",
                "--allow-privileged"));
        command.addAll(extraFlags);
        apiServer = launch("kube-apiserver", command);
        awaitReady();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (KubernetesClient client = newClient("control-plane-readiness")) {
            RuntimeException last = null;
            while (System.nanoTime() < deadline) {
                if (!etcd.isAlive() || !apiServer.isAlive()) {
                    throw new IllegalStateException((etcd.isAlive() ? "kube-apiserver" : "etcd") + " exited; see " + dir);
                }
                try {
                    if ("ok".equals(client.raw("/readyz")) && client.namespaces().withName("default").get() != null) {
                        return;
                    }
                } catch (RuntimeException e) {
                    last = e;
                }
                sleep(Duration.ofMillis(200));
            }
            throw new IllegalStateException("kube-apiserver was not ready within " + READY_TIMEOUT + "; see " + dir.resolve("kube-apiserver.log"), last);
        }
    }

    @Override
    public void close() {
        stop(apiServer);
        stop(etcd);
    }

    private void closeAndRemoveData() {
        close();
        try (Stream<Path> data = Files.exists(dir.resolve("etcd")) ? Files.walk(dir.resolve("etcd")) : Stream.empty()) {
            data.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // nothing more to do while the JVM exits
        }
        dir.resolve("audit.log").toFile().delete();
    }

    private Process launch(String name, List<String> command) {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0), e);
        }
    }

    private static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code $KUBE_API_TEST_DIR/k8s/1.20.2-linux-amd64}, where {@code hack/test-binaries.sh} puts etcd and kube-apiserver. */
    public static Path binaries() {
        Path dir = Path.of(System.getenv().getOrDefault("KUBE_API_TEST_DIR", System.getProperty("user.home") + "/.kubeapitest"),
                "k8s", KUBERNETES_VERSION + "-linux-amd64");
        if (!Files.isExecutable(dir.resolve("etcd")) || !Files.isExecutable(dir.resolve("kube-apiserver"))) {
            throw new IllegalStateException("no etcd and kube-apiserver in " + dir + ": run hack/test-binaries.sh (make test-binaries)");
        }
        return dir;
    }

    /** A CA, the server's certificate for 127.0.0.1, an admin client in system:masters, the ServiceAccount signing key. */
    private void makeCertificates() {
        new OpenSsl(dir).ca("ca", "lab-test-ca")
                .signed("apiserver", "/CN=kube-apiserver", "ca", "IP:127.0.0.1,DNS:localhost")
                .signed("admin", "/O=system:masters/CN=lab-test-admin", "ca", null)
                .key("sa");
    }

    private void writeKubeconfig() throws IOException {
        Files.writeString(kubeconfig(), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: lab-test
                  cluster:
                    server: https://127.0.0.1:%d
                    certificate-authority-data: %s
                users:
                - name: lab-test-admin
                  user:
                    client-certificate-data: %s
                    client-key-data: %s
                contexts:
                - name: lab-test
                  context: {cluster: lab-test, user: lab-test-admin}
                current-context: lab-test
                """.formatted(apiServerPort, base64("ca.crt"), base64("admin.crt"), base64("admin.key")));
    }

    private String base64(String name) throws IOException {
        return Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve(name)));
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
