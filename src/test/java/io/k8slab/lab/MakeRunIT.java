package io.k8slab.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.k8slab.lab.testing.ControlPlane;
import io.k8slab.lab.testing.Kubectl;
import io.k8slab.lab.testing.Manifests;

/**
 * {@code make run} as a newcomer runs it on a fresh clone: {@code hack/run-local.sh} finds no cluster on the
 * kubeconfig context, starts its own control plane from the test binaries, installs the CRDs (the crds/ kustomize
 * base) and the examples, and runs the packaged operator, which must take the Lease (its context names no
 * namespace, as kubeadm's admin.conf does not) and reconcile both resources. Stopping the script stops everything.
 * A change to crds/, hack/ or the operator's start-up that breaks this fails here.
 */
class MakeRunIT {

    private static final Pattern KUBECONFIG_LINE = Pattern.compile("\\[run-local\\]\\s+export KUBECONFIG=(\\S+)");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    @Test
    void makeRunStartsALocalControlPlaneAndTheOperatorLeadsAndReconcilesTheExamples(@TempDir Path tmp) throws Exception {
        Path log = Files.createDirectories(Path.of("target", "operator-logs")).resolve("make-run.log");
        ProcessBuilder builder = new ProcessBuilder("bash", "hack/run-local.sh").redirectErrorStream(true).redirectOutput(log.toFile());
        // No cluster answers on this context, so the script starts its own.
        builder.environment().put("KUBECONFIG", tmp.resolve("no-cluster-here").toString());
        builder.environment().put("LOCAL_CLUSTER_DIR", tmp.resolve("local-cluster").toString());
        builder.environment().put("LAB_EXAMPLES", loopbackExamples(tmp.resolve("examples")).toString());
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(ControlPlane.freePort()));
        long started = System.nanoTime();
        Process script = builder.start();
        try {
            Path kubeconfig = await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
                    .until(() -> printedKubeconfig(log, script), Optional::isPresent).orElseThrow();

            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                assertThat(script.isAlive()).as("make run exited; see %s", log).isTrue();
                // Outside a pod the Lease lives in lab-operator, where the deployed operator holds it.
                String holder = Kubectl.runAgainst(kubeconfig, "-n", "lab-operator", "get", "lease", "lab-operator",
                        "-o", "jsonpath={.spec.holderIdentity}");
                assertThat(holder).as("the Lease's holder").isNotBlank();
                assertThat(observedGeneration(kubeconfig, "labcluster/lab")).isEqualTo(generation(kubeconfig, "labcluster/lab"));
                assertThat(observedGeneration(kubeconfig, "bgppeerpool/lab")).isEqualTo(generation(kubeconfig, "bgppeerpool/lab"));
            });
            System.out.printf("make run: first reconcile of both examples %d ms after the start (control plane, CRDs, operator)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

            String listing = Kubectl.runAgainst(kubeconfig, "get", "lc,bpp");
            assertThat(listing).contains("labcluster.lab.k8slab.io/lab", "bgppeerpool.lab.k8slab.io/lab");
            assertThat(listing.lines().filter(line -> line.startsWith("NAME")))
                    .anySatisfy(header -> assertThat(header.split("\\s+")).containsExactly("NAME", "READY", "PHASE", "ENDPOINT", "AGE"))
                    .anySatisfy(header -> assertThat(header.split("\\s+")).containsExactly("NAME", "MY-ASN", "PEERS", "ROUTES", "IPS", "READY", "AGE"));
            assertThat(listing).containsPattern("labcluster\\.lab\\.k8slab\\.io/lab\\s+\\d+/4\\s+\\S+\\s+172\\.17\\.0\\.10:6443");
            assertThat(listing).containsPattern("bgppeerpool\\.lab\\.k8slab\\.io/lab\\s+64522\\s");

            // Ctrl-C or a SIGTERM ends the operator and then the control plane.
            long stopping = System.nanoTime();
            script.destroy();
            assertThat(script.waitFor(30, TimeUnit.SECONDS)).as("make run stopped within 30 s of SIGTERM; see %s", log).isTrue();
            System.out.printf("make run: stopped %d ms after SIGTERM%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
            assertThat(script.descendants().filter(ProcessHandle::isAlive)).as("processes left behind").isEmpty();
            assertThat(Files.readString(log)).doesNotContain("ERROR: ");
        } finally {
            script.descendants().forEach(ProcessHandle::destroyForcibly);
            script.destroyForcibly();
        }
    }

    /** The examples with the lab's addresses moved to loopback, since tests dial nothing else. */
    private static Path loopbackExamples(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        json.writeValue(dir.resolve("labcluster.json").toFile(), Manifests.read(Manifests.LAB_CLUSTER));
        json.writeValue(dir.resolve("bgppeerpool.json").toFile(), Manifests.read(Manifests.BGP_PEER_POOL));
        return dir;
    }

    private static Optional<Path> printedKubeconfig(Path log, Process script) throws IOException {
        String output = Files.readString(log);
        if (!script.isAlive()) {
            throw new AssertionError("make run exited with " + script.exitValue() + " before the control plane was ready:\n" + output);
        }
        Matcher matcher = KUBECONFIG_LINE.matcher(output);
        return matcher.find() ? Optional.of(Path.of(matcher.group(1))) : Optional.empty();
    }

    private static String generation(Path kubeconfig, String resource) {
        return Kubectl.runAgainst(kubeconfig, "get", resource, "-o", "jsonpath={.metadata.generation}");
    }

    private static String observedGeneration(Path kubeconfig, String resource) {
        return Kubectl.runAgainst(kubeconfig, "get", resource, "-o", "jsonpath={.status.observedGeneration}");
    }
}
