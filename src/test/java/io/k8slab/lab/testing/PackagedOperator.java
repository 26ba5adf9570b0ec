package io.k8slab.lab.testing;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The packaged operator ({@code target/quarkus-app/quarkus-run.jar}) started as a process the way
 * the operator's image starts it (the same JVM arguments), against the {@link TestCluster}, acting as the operator's
 * ServiceAccount. For benchmarks and fault tests that need a real process to measure, kill and restart.
 */
public final class PackagedOperator implements AutoCloseable {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    /** The footprint floor (issue 13): a do-nothing reconciler on the same stack, packaged by make bench. */
    private static final Path FLOOR_JAR = Path.of("bench", "floor-operator", "target", "quarkus-app", "quarkus-run.jar");
    public static final String FLOOR_USER_AGENT = "floor-operator";
    /** deploy/operator's memory limit (384Mi), as a JVM size. */
    static final String DEPLOYMENT_MEMORY_LIMIT = "384m";

    private final Process process;
    private final int httpPort;
    private final Path log;

    private PackagedOperator(Process process, int httpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    /** Starts the operator; {@code extraProperties} are passed as {@code -D} system properties. */
    public static PackagedOperator start(String name, Map<String, String> extraProperties) {
        return start(name, extraProperties, Map.of());
    }

    /**
     * As {@link #start(String, Map)}, with {@code environment} added to the process's environment: e.g. a
     * HOSTNAME of its own per replica, which is leader election's identity (a pod's name in a cluster).
     */
    public static PackagedOperator start(String name, Map<String, String> extraProperties, Map<String, String> environment) {
        return start(name, extraProperties, environment, true);
    }

    /**
     * The operator as {@code java -jar} from a shell starts it (make run): no pod namespace from the downward API,
     * no client namespace, and the test cluster's kubeconfig, whose context names no namespace (as kubeadm's
     * admin.conf). Its leader-election identity is the host name and its pid.
     */
    public static PackagedOperator startOutsidePod(String name, Map<String, String> extraProperties) {
        return start(name, extraProperties, Map.of(), false);
    }

    private static PackagedOperator start(String name, Map<String, String> extraProperties, Map<String, String> environment, boolean inPod) {
        List<String> settings = new ArrayList<>();
        settings.add("-Dkubernetes.user.agent=" + TestCluster.OPERATOR_USER_AGENT);
        settings.add("-Dkubernetes.impersonate.username=" + TestCluster.OPERATOR_SERVICE_ACCOUNT);
        settings.add("-Dkubernetes.impersonate.group=system:serviceaccounts,system:serviceaccounts:lab-operator,system:authenticated");
        if (inPod) {
            // As in the cluster, where the ServiceAccount's namespace is the client's.
            settings.add("-Dkubernetes.namespace=lab-operator");
        }
        extraProperties.forEach((key, value) -> settings.add("-D" + key + "=" + value));
        Map<String, String> env = new java.util.HashMap<>(environment);
        if (inPod) {
            // deploy/operator's downward API: the Lease goes to the pod's namespace.
            env.putIfAbsent("POD_NAMESPACE", "lab-operator");
        }
        return launch(JAR, name, settings, env, inPod);
    }

    /**
     * The floor operator (bench/floor-operator, which {@code make bench} packages) with the operator's JVM flags and
     * memory limit, as the test cluster's admin (it watches ConfigMaps everywhere) under {@link #FLOOR_USER_AGENT},
     * so its requests are not counted as the operator's.
     */
    public static PackagedOperator startFloor(String name) {
        return launch(FLOOR_JAR, name, List.of("-Dkubernetes.user.agent=" + FLOOR_USER_AGENT), Map.of(), false);
    }

    private static PackagedOperator launch(Path jar, String name, List<String> settings, Map<String, String> environment, boolean inPod) {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package it first (./mvnw package -DskipTests"
                    + (jar.equals(FLOOR_JAR) ? " -f bench/floor-operator/pom.xml)" : ")"));
        }
        try {
            int port = ControlPlane.freePort();
            Path log = Files.createDirectories(Path.of("target", "operator-logs")).resolve(name + ".log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(imageJvmArgs());
            // The Deployment's memory limit, which the JVM would read from its cgroup in the cluster.
            command.add("-XX:MaxRAM=" + DEPLOYMENT_MEMORY_LIMIT);
            command.add("-Dkubeconfig=" + TestCluster.get().kubeconfig());
            command.add("-Dquarkus.http.port=" + port);
            command.addAll(settings);
            command.add("-jar");
            command.add(jar.toString());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            if (!inPod) {
                builder.environment().remove("POD_NAMESPACE");
                builder.environment().remove("KUBERNETES_NAMESPACE");
            }
            builder.environment().putAll(environment);
            Process process = builder.start();
            // A test JVM that dies without closing must not leave an operator running against the next run.
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            return new PackagedOperator(process, port, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The JVM arguments the operator's image starts it with (quarkus.jib.jvm-additional-arguments, which the image's
     * entrypoint carries; OperatorImageIT checks that it does), so what is measured is what the lab runs.
     */
    public static List<String> imageJvmArgs() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("src", "main", "resources", "application.properties"))) {
            properties.load(reader);
        }
        String args = properties.getProperty("quarkus.jib.jvm-additional-arguments");
        if (args == null) {
            throw new IllegalStateException("application.properties sets no quarkus.jib.jvm-additional-arguments");
        }
        return List.of(args.split(","));
    }

    /** Waits until /q/health/ready answers 200 and returns how long that took since the process started. */
    public Duration awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready")).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the operator exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return Duration.between(process.info().startInstant().orElseThrow(), java.time.Instant.now());
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(100);
        }
        throw new IllegalStateException("the operator was not ready within " + timeout + "; see " + log);
    }

    /** The body of /q/metrics (Prometheus text format). */
    public String scrapeMetrics() {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("/q/metrics answered " + response.statusCode() + "; see " + log);
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Resident memory of the process (VmRSS), in bytes. */
    public long residentBytes() {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024)
                    .findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Heap in use right after a full GC (jcmd), in bytes: what the operator really keeps. */
    public long heapAfterGcBytes() {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        // e.g. " def new generation   total 4928K, used 1234K ..." and " tenured generation   total 10944K, used 5678K"
        long usedKb = 0;
        for (String line : info.split("\n")) {
            int used = line.indexOf("used ");
            if (line.contains("total") && used >= 0 && !line.contains("Metaspace") && !line.contains("class space")) {
                usedKb += Long.parseLong(line.substring(used + 5).replaceAll("[^0-9].*$", ""));
            }
        }
        return usedKb * 1024;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Sends SIGTERM, as the kubelet does on a rollout or a shell on Ctrl-C (SIGINT takes the same JVM shutdown
     * path), and returns how long the process took to exit; fails if it is still alive after {@code timeout}.
     */
    public Duration terminate(Duration timeout) {
        long sent = System.nanoTime();
        process.destroy();
        try {
            if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                String stuck = jcmd("Thread.print");
                process.destroyForcibly();
                throw new IllegalStateException("the operator did not exit within " + timeout + " of SIGTERM; see " + log
                        + "; its threads:\n" + stuck);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return Duration.ofNanos(System.nanoTime() - sent);
    }

    public int exitValue() {
        return process.exitValue();
    }

    /** Kills the process at once, as an OOM-kill or a node failure would. */
    public void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    @Override
    public void close() {
        process.destroy();
        waitForExit();
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String jcmd(String command) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), command).redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes());
            jcmd.waitFor();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
