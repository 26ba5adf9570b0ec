package io.k8slab.lab.faults;

import static io.k8slab.lab.faults.FaultSupport.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterConditions;
import io.k8slab.lab.cluster.LabFixture;
import io.k8slab.lab.join.FakeMachine;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.testing.PackagedOperator;
import io.k8slab.lab.testing.TestCluster;

/**
 * The API server is killed and restarted (etcd keeps its data) while the packaged operator is in the middle of
 * joining a lab's workers and writing a pool's MetalLB configuration. Changes made after the restart must reach
 * the operator through its re-established watches, and everything converges: the lab Ready with one token ever
 * issued, and MetalLB's ConfigMap holding exactly what the latest pool renders. Needs target/quarkus-app.
 */
class ApiServerRestartFaultIT {

    private static final String LEASE = FaultSupport.unique("faults-apiserver");
    private static final String POOL = "faults-apiserver";
    private static final Duration DOWNTIME = Duration.ofSeconds(2);
    /**
     * The leader must keep its Lease across the restart: the downtime plus the server's start-up and its RBAC
     * cache filling (Lease requests are refused with 403 until then) took 11 s on a loaded 2-core machine, past
     * the default 10 s renew deadline. What is tested here is reconnecting, not losing the Lease.
     */
    private static final Map<String, String> PATIENT_LEASE = Map.of("lab.leader-election.lease-duration", "60s",
            "lab.leader-election.renew-deadline", "45s");
    private static final Duration CONVERGE = Duration.ofSeconds(90);

    private static PackagedOperator operator;

    @AfterAll
    static void stop() {
        FaultSupport.cleanUp(operator, POOL, LEASE);
    }

    @Test
    void theOperatorReconnectsAndConvergesAfterAnApiServerRestart() {
        String configMap = FaultSupport.configMapName("faults-apiserver");
        operator = FaultSupport.startOperator("faults-apiserver", LEASE, PATIENT_LEASE);
        long createsBefore = FaultSupport.tokenSecretCreates();
        try (LabFixture lab = LabFixture.start("apirestart", 42, 3)) {
            // Joins end while the server is down: the kubelet cannot register, kubeadm fails and the operator retries.
            lab.machines.forEach(m -> m.kubeadm.joinTime = Duration.ofSeconds(3));
            lab.apply(lab.cluster(spec -> {
            }));
            client.resource(FaultSupport.pool(POOL, configMap, m -> {
            })).create();
            await().atMost(FaultSupport.WAIT).until(() -> lab.machines.stream()
                    .anyMatch(m -> m.commands().stream().anyMatch(c -> c.startsWith("sudo kubeadm join"))));

            long down = System.nanoTime();
            TestCluster.get().restartApiServer(DOWNTIME);
            System.out.printf("faults: the API server was unavailable for %d ms; kubeadm runs by then (true = succeeded): %s%n",
                    (System.nanoTime() - down) / 1_000_000, lab.machines.stream().map(m -> m.joins().stream().map(FakeMachine.Run::succeeded).toList()).toList());

            // Changes after the restart reach the operator only through watches it re-established.
            long poolGeneration = client.resources(BgpPeerPool.class).withName(POOL).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"addressPools\":[{\"name\":\"my-ip-space\",\"protocol\":\"bgp\",\"addresses\":[\"192.168.230.0/24\"]}]}}")
                    .getMetadata().getGeneration();
            lab.apply(lab.cluster(spec -> spec.nodes.forEach(node -> node.labels = Map.of("example.org/after-restart", "yes"))));

            await().atMost(CONVERGE).untilAsserted(() -> {
                assertThat(operator.isAlive()).as("the operator kept running (see " + operator.log() + ")").isTrue();
                LabCluster cluster = lab.reported();
                assertThat(cluster.getStatus().observedGeneration).isEqualTo(cluster.getMetadata().getGeneration());
                assertThat(Conditions.isTrue(cluster.getStatus().conditions, LabClusterConditions.READY)).isTrue();
                assertThat(lab.tokens()).as("the token goes when no join is pending").isEmpty();
                for (int i = 1; i <= lab.machines.size(); i++) {
                    assertThat(client.nodes().withName(lab.nodeName(i)).get().getMetadata().getLabels())
                            .containsEntry("example.org/after-restart", "yes").containsEntry("type", "worker");
                }
                BgpPeerPool pool = FaultSupport.live(POOL);
                assertThat(pool.getMetadata().getGeneration()).isEqualTo(poolGeneration);
                assertThat(pool.getStatus().observedGeneration).isEqualTo(poolGeneration);
                assertThat(FaultSupport.config(configMap)).as("the configuration of the latest pool").isEqualTo(FaultSupport.expectedConfig(pool))
                        .contains("192.168.230.0/24");
            });
            List<Long> succeeded = lab.machines.stream().map(m -> m.joins().stream().filter(FakeMachine.Run::succeeded).count()).toList();
            assertThat(succeeded).as("successful joins per machine").containsOnly(1L);
            assertThat(FaultSupport.tokenSecretCreates() - createsBefore).as("token Secrets created, by the audit log").isEqualTo(1);
            assertThat(lab.tokensIssued()).isEqualTo(1);
        }
    }
}
