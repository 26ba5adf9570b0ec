package io.k8slab.lab.router;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.k8slab.lab.testing.OpenSsl;

/**
 * The reference lab's BGP network, built from network namespaces this fixture creates and deletes itself:
 *
 * <pre>
 *  namespace &lt;run&gt;-rt01: bridge br0 172.17.0.1/24, gobgpd AS 64512 (rt-01), API 127.0.0.1:50051,
 *                          haproxy on 172.17.0.1:50051: TLS, client certificate required ({@link TlsFront})
 *      |-- veth w21 ---- namespace &lt;run&gt;-w21: eth0 172.17.0.21/24, gobgpd AS 64522 (a MetalLB speaker)
 *      |-- veth w22 ---- namespace &lt;run&gt;-w22: eth0 172.17.0.22/24, ...
 *      ...
 * </pre>
 *
 * The 172.17.0.x addresses exist only inside these namespaces; the root namespace gets no interface, address or
 * route. The test process reaches rt-01's API as the operator does, over TLS with the operator's client certificate
 * ({@link #operatorTls()}), through a {@link NamespaceRelay} on its own loopback to rt-01's TLS front
 * ({@link #routerApi()}). The certificates are made by openssl for each run: the lab's API CA, rt-01's certificate
 * (for 172.17.0.1 and 127.0.0.1, the relay's side), the operator's client certificate, and an intruder's CA and
 * client certificate. Each speaker peers with 172.17.0.1 as MetalLB's speaker would (it connects, it does not
 * listen) and announces what the test tells it to; rt-01 has a neighbor configured "by hand" for the addresses the
 * test names, as the reference lab's gobgpd.conf did.
 *
 * <p>Everything is removed by {@link #close()}, which a JVM shutdown hook also runs; namespaces left over by a run
 * that was killed outright (their name carries the dead JVM's pid) are removed by the next run. Needs root, iproute2,
 * gobgpd, socat, haproxy and openssl: without them {@link #start} throws, so tests fail rather than skip.
 */
final class LabNetwork implements AutoCloseable {

    static final String ROUTER_ADDRESS = "172.17.0.1";
    static final long ROUTER_ASN = 64512;
    static final long SPEAKER_ASN = 64522;
    /** rt-01's API as the speakers' network sees it: the TLS front. */
    static final int API_PORT = 50051;
    /** Description of the neighbors configured in rt-01's file, i.e. not by lab-operator. */
    static final String HAND_CONFIGURED = "configured by hand";

    private static final String PREFIX = "k8slab";
    /** Names of this fixture's namespaces and temporary directories: the JVM's pid, the run in that JVM, a role. */
    private static final Pattern OWN_NAMESPACE = Pattern.compile("^" + PREFIX + "(\\d+)n\\d+-\\S*");
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final String run;
    private final Path directory;
    private final List<String> namespaces = new ArrayList<>();
    private final Map<String, GobgpDaemon> workers = new LinkedHashMap<>();
    private final Thread shutdownHook;
    private GobgpDaemon router;
    private OpenSsl certificates;
    private TlsFront front;
    private NamespaceRelay relay;
    private boolean closed;

    private LabNetwork() throws IOException {
        run = PREFIX + ProcessHandle.current().pid() + "n" + RUNS.incrementAndGet();
        directory = Files.createTempDirectory(run + "-");
        shutdownHook = new Thread(this::close, "lab-network-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Builds the network and starts every gobgpd.
     *
     * @param workerAddresses one speaker namespace per address (172.17.0.x)
     * @param handConfigured the neighbors rt-01's configuration file names (AS 64522), a subset of the workers or not
     */
    static LabNetwork start(List<String> workerAddresses, List<String> handConfigured) {
        preflight();
        removeLeftovers();
        LabNetwork network;
        try {
            network = new LabNetwork();
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temporary directory for gobgpd's configuration", e);
        }
        try {
            network.build(workerAddresses, handConfigured);
            return network;
        } catch (RuntimeException | Error e) {
            network.close();
            throw e;
        }
    }

    private static void preflight() {
        List<String> missing = new ArrayList<>();
        Map<String, String> packages = Map.of("ip", "iproute2", "gobgpd", "gobgpd", "gobgp", "gobgpd", "socat", "socat",
                "haproxy", "haproxy", "openssl", "openssl");
        for (String tool : List.of("ip", "gobgpd", "gobgp", "socat", "haproxy", "openssl")) {
            if (Cmd.which(tool) == null) {
                missing.add(tool + " (Debian package " + packages.get(tool) + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the BGP tests build their network from namespaces and need, missing here: "
                    + String.join(", ", missing) + ". `make deps` installs them (as root).");
        }
    }

    private void build(List<String> workerAddresses, List<String> handConfigured) {
        String routerNamespace = addNamespace("rt01");
        Cmd.run("ip", "-n", routerNamespace, "link", "add", "br0", "type", "bridge");
        Cmd.run("ip", "-n", routerNamespace, "addr", "add", ROUTER_ADDRESS + "/24", "dev", "br0");
        Cmd.run("ip", "-n", routerNamespace, "link", "set", "br0", "up");
        for (String address : workerAddresses) {
            String suffix = address.substring(address.lastIndexOf('.') + 1);
            String namespace = addNamespace("w" + suffix);
            String port = "w" + suffix;
            // Both ends are created inside test namespaces; the root namespace never holds either.
            Cmd.run("ip", "-n", routerNamespace, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns",
                    namespace);
            Cmd.run("ip", "-n", routerNamespace, "link", "set", port, "master", "br0", "up");
            Cmd.run("ip", "-n", namespace, "addr", "add", address + "/24", "dev", "eth0");
            Cmd.run("ip", "-n", namespace, "link", "set", "eth0", "up");
            workers.put(address, new GobgpDaemon("speaker-" + suffix, namespace, directory, speakerConfig(address)));
        }
        router = new GobgpDaemon("rt-01", routerNamespace, directory, routerConfig(handConfigured));
        certificates = new OpenSsl(directory).ca("lab-api-ca", "lab API CA")
                .signed("rt-01-api", "/CN=rt-01", "lab-api-ca", "IP:" + ROUTER_ADDRESS + ",IP:127.0.0.1")
                .signed("lab-operator", "/CN=lab-operator", "lab-api-ca", null)
                .ca("intruder-ca", "intruder CA")
                .signed("intruder", "/CN=lab-operator", "intruder-ca", null);
        Path serverPem = directory.resolve("rt-01-api.pem");
        try {
            Files.write(serverPem, concat(certificates.read("rt-01-api.crt"), certificates.read("rt-01-api.key")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write rt-01's certificate for haproxy", e);
        }
        front = new TlsFront(routerNamespace, directory, ROUTER_ADDRESS, API_PORT, GobgpDaemon.API_PORT, serverPem,
                certificates.path("lab-api-ca.crt"));
        relay = new NamespaceRelay(routerNamespace, ROUTER_ADDRESS, API_PORT);
        router.start();
        front.start();
        workers.values().forEach(GobgpDaemon::start);
    }

    private String addNamespace(String role) {
        String namespace = run + "-" + role;
        Cmd.Result result = Cmd.tryRun("ip", "netns", "add", namespace);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("cannot create network namespace " + namespace + " (the BGP tests need root "
                    + "and iproute2): `ip netns add` exited " + result.exitCode() + ": " + result.output().strip());
        }
        namespaces.add(namespace);
        Cmd.run("ip", "-n", namespace, "link", "set", "lo", "up");
        return namespace;
    }

    private static String routerConfig(List<String> handConfigured) {
        StringBuilder toml = new StringBuilder("""
                # rt-01 as in the reference lab: AS 64512, one neighbor per worker, multipath.
                [global.config]
                  as = %d
                  router-id = "%s"
                  port = 179
                [global.use-multiple-paths.config]
                  enabled = true
                """.formatted(ROUTER_ASN, ROUTER_ADDRESS));
        for (String address : handConfigured) {
            toml.append("""

                    [[neighbors]]
                      [neighbors.config]
                        neighbor-address = "%s"
                        peer-as = %d
                        description = "%s"
                      [neighbors.timers.config]
                        connect-retry = 1
                        idle-hold-time-after-reset = 1
                    """.formatted(address, SPEAKER_ASN, HAND_CONFIGURED));
        }
        return toml.toString();
    }

    /** A MetalLB speaker's side: AS 64522, peer rt-01; it does not listen (port -1), it connects. */
    private static String speakerConfig(String address) {
        return """
                [global.config]
                  as = %d
                  router-id = "%s"
                  port = -1
                [[neighbors]]
                  [neighbors.config]
                    neighbor-address = "%s"
                    peer-as = %d
                  [neighbors.timers.config]
                    connect-retry = 1
                    idle-hold-time-after-reset = 1
                """.formatted(SPEAKER_ASN, address, ROUTER_ADDRESS, ROUTER_ASN);
    }

    /** rt-01's gRPC API (its TLS front) as the test process reaches it: 127.0.0.1:port, relayed into rt-01's namespace. */
    String routerApi() {
        return relay.endpoint();
    }

    /** The operator's credentials for rt-01's API, as a Secret's data: tls.crt, tls.key, ca.crt (base64). */
    Map<String, String> operatorSecretData() {
        return secretData("lab-operator", "lab-api-ca");
    }

    /**
     * Credentials as a Secret's data from the certificates of this run: {@code client} (.crt, .key) and the CA
     * {@code ca} (.crt) the router's certificate is checked against.
     */
    Map<String, String> secretData(String client, String ca) {
        Base64.Encoder base64 = Base64.getEncoder();
        return Map.of(RouterTls.CERTIFICATE, base64.encodeToString(certificates.read(client + ".crt")),
                RouterTls.PRIVATE_KEY, base64.encodeToString(certificates.read(client + ".key")),
                RouterTls.CA, base64.encodeToString(certificates.read(ca + ".crt")));
    }

    /** The operator's credentials, as the reconciler reads them from its Secret. */
    Optional<RouterTls> operatorTls() {
        return Optional.of(RouterTls.fromSecretData(routerApi(), "test/lab-operator", "1", operatorSecretData()));
    }

    /** A file of this run's certificates (lab-api-ca.crt, lab-operator.key, intruder.crt, ...). */
    Path certificate(String name) {
        return certificates.path(name);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    GobgpDaemon router() {
        return router;
    }

    GobgpDaemon worker(String address) {
        GobgpDaemon worker = workers.get(address);
        if (worker == null) {
            throw new IllegalArgumentException("no worker " + address + " in this network: " + workers.keySet());
        }
        return worker;
    }

    List<GobgpDaemon> workers() {
        return List.copyOf(workers.values());
    }

    /** The tail of every gobgpd's log, for failure messages. */
    String logs() {
        StringBuilder text = new StringBuilder();
        Stream.concat(Stream.of(router), workers.values().stream()).forEach(daemon -> text.append("--- ")
                .append(daemon.name()).append(" (").append(daemon.log()).append(")\n").append(Cmd.tail(daemon.log(), 15))
                .append('\n'));
        if (front != null) {
            text.append("--- haproxy (").append(front.log()).append(")\n").append(Cmd.tail(front.log(), 15)).append('\n');
        }
        return text.toString();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (relay != null) {
            relay.close();
        }
        if (front != null) {
            front.stop();
        }
        for (GobgpDaemon daemon : workers.values()) {
            daemon.stop();
        }
        if (router != null) {
            router.stop();
        }
        for (String namespace : namespaces) {
            deleteNamespace(namespace);
        }
        if (!Boolean.getBoolean("lab.network.keep")) {
            deleteDirectory(directory);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // Already shutting down: this is the hook.
        }
    }

    /** Ends whatever still runs in the namespace (only processes this fixture started live there), then deletes it. */
    private static void deleteNamespace(String namespace) {
        Cmd.Result pids = Cmd.tryRun("ip", "netns", "pids", namespace);
        if (pids.exitCode() == 0) {
            pids.output().lines().map(String::strip).filter(line -> line.matches("\\d+")).map(Long::parseLong)
                    .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
        Cmd.Result result = Cmd.tryRun("ip", "netns", "del", namespace);
        if (result.exitCode() != 0) {
            System.err.println("[lab-network] could not delete namespace " + namespace + ": " + result.output().strip());
        }
    }

    /** Deletes this fixture's namespaces left by test JVMs that no longer run (killed before their cleanup ran). */
    private static void removeLeftovers() {
        Cmd.Result list = Cmd.tryRun("ip", "netns", "list");
        if (list.exitCode() != 0) {
            return;
        }
        for (String line : list.output().lines().toList()) {
            Matcher matcher = OWN_NAMESPACE.matcher(line.strip());
            if (matcher.find() && !alive(matcher.group(1))) {
                deleteNamespace(matcher.group().strip());
            }
        }
        try (Stream<Path> temporary = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            temporary.filter(Files::isDirectory).forEach(path -> {
                Matcher matcher = OWN_NAMESPACE.matcher(path.getFileName().toString());
                if (matcher.find() && !alive(matcher.group(1))) {
                    deleteDirectory(path);
                }
            });
        } catch (IOException e) {
            // Only leftovers' configuration files: nothing depends on them.
        }
    }

    private static boolean alive(String pid) {
        return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void deleteDirectory(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A temporary directory; nothing else depends on it.
        }
    }
}
