package io.k8slab.lab.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.testing.ControlPlane;
import io.k8slab.lab.testing.TestCluster;

/**
 * The real kubeadm 1.20.2 runs discovery with what the operator produces (token, CA hashes read from the API,
 * rendered JoinConfiguration) against the test API server, with kube-controller-manager's bootstrapsigner signing
 * cluster-info for the token. kubeadm runs chrooted ({@code --rootfs}) into a temporary directory, so the files
 * it writes after discovery stay there; it is stopped once discovery succeeded or failed.
 */
class RealKubeadmDiscoveryTest {

    private static final Path BINARIES = ControlPlane.binaries();
    private static final String VALID = "Cluster info signature and contents are valid and TLS certificate validates against pinned roots";
    private static final KubernetesClient client = TestCluster.get().client();
    private static Process controllerManager;
    private static BootstrapTokenIssuer issuer;
    private static IssuedToken token;

    @BeforeAll
    static void startBootstrapSigner() throws IOException {
        KubeadmInit.prepare();
        controllerManager = new ProcessBuilder(BINARIES.resolve("kube-controller-manager").toString(),
                "--kubeconfig", TestCluster.get().kubeconfig().toString(),
                "--controllers", "bootstrapsigner,tokencleaner", "--leader-elect=false", "--port=0", "--secure-port=0")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        issuer = new BootstrapTokenIssuer(client, new SecureRandom());
        token = issuer.issue(client.resource(new ConfigMapBuilder().withNewMetadata().withName("real-kubeadm").withNamespace("default")
                .endMetadata().build()).serverSideApply(), Duration.ofMinutes(30), Instant.now());
        // the signer adds a JWS of cluster-info for every token allowed to sign
        await().atMost(Duration.ofSeconds(60)).until(() -> client.configMaps().inNamespace("kube-public").withName("cluster-info").get()
                .getData().containsKey("jws-kubeconfig-" + token.token().id()));
    }

    @AfterAll
    static void stop() {
        issuer.delete(token);
        controllerManager.destroy();
    }

    @Test
    void discoverySucceedsWithTheIssuedTokenAndTheHashFromTheApi() throws Exception {
        List<String> hashes = ClusterDiscovery.caCertHashes(client).orElseThrow();

        String output = kubeadmJoin(new JoinRequest(KubeadmInit.endpoint(), token.token(), hashes, "real-kubeadm-node", "127.0.0.1"));

        assertThat(output).contains(VALID);
    }

    @Test
    void discoveryRefusesAnotherCa() throws Exception {
        String output = kubeadmJoin(new JoinRequest(KubeadmInit.endpoint(), token.token(),
                List.of("sha256:c509f1357b3e0dfdaf7f0cdb9c61e126e2035f94fca97f39a4e7a19e4e6bc8a1"), "real-kubeadm-node", "127.0.0.1"));

        assertThat(output).doesNotContain(VALID).contains("none of the public keys");
    }

    /** kubeadm join --config (the rendered file) until discovery has spoken; its output. */
    private static String kubeadmJoin(JoinRequest request) throws Exception {
        Path root = Files.createTempDirectory("kubeadm-root");
        Path config = root.resolve("join.yaml");
        Files.writeString(config, JoinConfigurationRenderer.render(request, Optional.of("v1.20.2")));
        // --rootfs chroots first: the config path is seen from inside the new root
        Process kubeadm = new ProcessBuilder(BINARIES.resolve("kubeadm").toString(), "join", "--config", "/" + config.getFileName(),
                "--rootfs", root.toString(), "--ignore-preflight-errors=all", "--v=5")
                .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(kubeadm.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (line.contains(VALID) || line.contains("none of the public keys")) {
                        kubeadm.destroy();
                    }
                }
            } catch (IOException e) {
                // the process was stopped
            }
        });
        try {
            if (!kubeadm.waitFor(90, TimeUnit.SECONDS)) {
                kubeadm.destroyForcibly();
            }
            reader.get(10, TimeUnit.SECONDS);
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }
}
