package io.k8slab.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.testing.ControlPlane;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.PackagedOperator;
import io.k8slab.lab.testing.TestCluster;

/**
 * {@code make image}'s tarball is an image whose own entrypoint starts the operator. Its layers are unpacked into a
 * root file system and its entrypoint and command run in it as a container runtime would: root directory, working
 * directory and user from the image's config, /proc mounted (in a mount namespace of its own), nothing of the
 * host's file system but the kubeconfig, which the test puts in the image's /tmp. The operator answers
 * /q/health/ready, reconciles a LabCluster against the test API server as its ServiceAccount and stops on SIGTERM.
 *
 * <p>The tarball comes from the package phase with {@code -Pimage} ({@code make image}, {@code make test}); a
 * missing or stale one fails here rather than testing nothing. Running the image needs root (mount namespace,
 * chroot, setuid), as CI and the lab's machines have.
 */
class OperatorImageIT {

    private static final Path TARBALL = Path.of("target", "lab-operator-image.tar");
    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client = TestCluster.get().client();

    @Test
    void imageEntrypointStartsTheOperator() throws Exception {
        assertThat(TARBALL).as("the operator's image: `make image` (./mvnw package -Pimage) writes it").exists();
        assertThat(Files.getLastModifiedTime(TARBALL)).as("%s is older than %s: `make image` rebuilds it", TARBALL, JAR)
                .isGreaterThanOrEqualTo(Files.getLastModifiedTime(JAR));
        assertThat(run("id", "-u").trim()).as("running the image needs root").isEqualTo("0");

        Path work = Path.of("target", "image-it").toAbsolutePath();
        deleteRecursively(work);
        Path archive = Files.createDirectories(work.resolve("archive"));
        Path root = Files.createDirectories(work.resolve("rootfs"));
        run("tar", "-xf", TARBALL.toString(), "-C", archive.toString());

        JsonNode manifest = JSON.readTree(archive.resolve("manifest.json").toFile()).get(0);
        assertThat(manifest.get("RepoTags").get(0).asText()).as("the image deploy/operator runs").isEqualTo(deploymentImage());
        for (JsonNode layer : manifest.get("Layers")) {
            run("tar", "-xf", archive.resolve(layer.asText()).toString(), "-C", root.toString());
        }
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith(".wh."))).as("whiteouts (unhandled here)").isEmpty();
        }
        JsonNode config = JSON.readTree(archive.resolve(manifest.get("Config").asText()).toFile()).get("config");
        List<String> command = new ArrayList<>(strings(config.get("Entrypoint")));
        command.addAll(strings(config.get("Cmd")));
        assertThat(command).as("the image's command").isNotEmpty().containsSubsequence(PackagedOperator.imageJvmArgs());
        String user = config.get("User").asText();
        assertThat(user).as("deploy/operator runs as 65532").isEqualTo("65532:65532");
        String workingDir = config.get("WorkingDir").asText();

        // What the kubelet would give the container: the image's environment, the Deployment's POD_NAMESPACE, the
        // memory limit the JVM reads from its cgroup there, and, instead of a ServiceAccount token, the test
        // cluster's kubeconfig acting as the operator's ServiceAccount.
        Path kubeconfig = root.resolve("tmp/kubeconfig");
        Files.copy(TestCluster.get().kubeconfig(), kubeconfig);
        run("chown", user, kubeconfig.toString());
        Files.createDirectories(root.resolve("proc"));
        int port = ControlPlane.freePort();
        Map<String, String> environment = new LinkedHashMap<>();
        for (String entry : strings(config.get("Env"))) {
            environment.put(entry.substring(0, entry.indexOf('=')), entry.substring(entry.indexOf('=') + 1));
        }
        environment.put("POD_NAMESPACE", "lab-operator");
        environment.put("JAVA_TOOL_OPTIONS", "-XX:MaxRAM=384m");
        environment.put("KUBECONFIG", "/tmp/kubeconfig");
        environment.put("KUBERNETES_NAMESPACE", "lab-operator");
        environment.put("KUBERNETES_USER_AGENT", TestCluster.OPERATOR_USER_AGENT);
        environment.put("KUBERNETES_IMPERSONATE_USERNAME", TestCluster.OPERATOR_SERVICE_ACCOUNT);
        environment.put("KUBERNETES_IMPERSONATE_GROUP", "system:serviceaccounts,system:serviceaccounts:lab-operator,system:authenticated");
        environment.put("QUARKUS_HTTP_PORT", Integer.toString(port));

        List<String> container = new ArrayList<>(List.of(hostBinary("unshare"), "--mount-proc=/proc", "--root=" + root,
                "--wd=" + workingDir, "--setgid=" + user.split(":")[1], "--setuid=" + user.split(":")[0], "--"));
        container.addAll(command);
        Path log = Files.createDirectories(Path.of("target", "operator-logs")).resolve("image-it.log");
        ProcessBuilder builder = new ProcessBuilder(container).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process operator = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(operator::destroyForcibly));
        try {
            awaitReady(operator, port, log);
            // The process runs the image's java in the image's root, as its user.
            Path proc = Path.of("/proc", Long.toString(operator.pid()));
            assertThat(Files.readSymbolicLink(proc.resolve("root"))).isEqualTo(root);
            assertThat(Files.readSymbolicLink(proc.resolve("exe")).startsWith(root)).as("java from the image").isTrue();
            assertThat(Files.readAllLines(proc.resolve("status"))).anyMatch(line -> line.matches("Uid:\\s+65532\\s.*"));

            client.resource(Manifests.toResource(Manifests.variant(Manifests.LAB_CLUSTER, "image", m -> {
            }), LabCluster.class)).serverSideApply();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                LabCluster cluster = client.resources(LabCluster.class).withName("image").get();
                assertThat(cluster.getStatus()).isNotNull();
                assertThat(cluster.getStatus().observedGeneration).isEqualTo(cluster.getMetadata().getGeneration());
                assertThat(Conditions.find(cluster.getStatus().conditions, "Ready")).isPresent();
            });
            client.resources(LabCluster.class).withName("image").delete();
            await().atMost(Duration.ofSeconds(60)).until(() -> client.resources(LabCluster.class).withName("image").get() == null);
        } finally {
            operator.destroy();
            if (!operator.waitFor(30, TimeUnit.SECONDS)) {
                operator.destroyForcibly().waitFor();
            }
        }
        // 128 + SIGTERM, after Quarkus's own orderly stop.
        assertThat(operator.exitValue()).as("exit on SIGTERM; see %s", log).isEqualTo(143);
        assertThat(Files.readString(log)).contains("lab-operator stopped in");
        deleteRecursively(work);
    }

    private static String deploymentImage() throws IOException {
        Deployment deployment = Serialization.unmarshal(Files.readString(Path.of("deploy", "operator", "deployment.yaml")), Deployment.class);
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    private static void awaitReady(Process operator, int port, Path log) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (!operator.isAlive()) {
                throw new AssertionError("the image's command exited with " + operator.exitValue() + "; see " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the operator in the image was not ready within 2 minutes; see " + log);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array != null) {
            array.forEach(value -> values.add(value.asText()));
        }
        return values;
    }

    /** An absolute path: the container's environment has the image's PATH, not the host's. */
    private static String hostBinary(String name) {
        return Stream.of(System.getenv("PATH").split(File.pathSeparator))
                .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError(name + " (util-linux) is not on PATH")).toString();
    }

    /** Runs a host command and returns its output (tar keeps the layers' owners and modes when run as root). */
    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    private static void deleteRecursively(Path dir) throws IOException, InterruptedException {
        if (Files.exists(dir)) {
            run("rm", "-rf", dir.toString());
        }
    }
}
