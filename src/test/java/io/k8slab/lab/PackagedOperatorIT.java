package io.k8slab.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.bgp.BgpPeerPool;
import io.k8slab.lab.cluster.LabCluster;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.PackagedOperator;
import io.k8slab.lab.testing.TestCluster;

/**
 * The packaged application (target/quarkus-app, started as {@code java -jar} with deploy/operator's JVM flags,
 * acting as its ServiceAccount, leader election on) wires both reconcilers through quarkus-operator-sdk and
 * reconciles against a real API server. The process is stopped at the end, so later tests have the cluster to
 * themselves.
 */
class PackagedOperatorIT {

    private final KubernetesClient client = TestCluster.get().client();

    @Test
    void packagedOperatorReconcilesBothResources() {
        try (PackagedOperator operator = PackagedOperator.start("packaged-it", Map.of())) {
            operator.awaitReady(Duration.ofMinutes(2));
            assertThat(sample(operator.scrapeMetrics(), "operator_sdk_reconciliations_success_total", "kind=\"LabCluster\"")).isZero();
            client.resource(Manifests.toResource(Manifests.variant(Manifests.LAB_CLUSTER, "packaged", m -> {
            }), LabCluster.class)).serverSideApply();
            // MetalLB v0.7.3: the example's v0.16.1 would bring its validating webhook into the API server all tests share.
            client.resource(Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, "packaged",
                    m -> ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.7.3")), BgpPeerPool.class)).serverSideApply();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                LabCluster cluster = client.resources(LabCluster.class).withName("packaged").get();
                assertThat(cluster.getStatus()).isNotNull();
                assertThat(cluster.getStatus().observedGeneration).isEqualTo(cluster.getMetadata().getGeneration());
                assertThat(Conditions.find(cluster.getStatus().conditions, "Ready")).isPresent();

                BgpPeerPool pool = client.resources(BgpPeerPool.class).withName("packaged").get();
                assertThat(pool.getStatus()).isNotNull();
                assertThat(pool.getStatus().observedGeneration).isEqualTo(pool.getMetadata().getGeneration());
                assertThat(Conditions.find(pool.getStatus().conditions, "Ready")).isPresent();
            });

            // /q/metrics: JOSDK's reconcile counters (bound by quarkus-operator-sdk) moved for both kinds.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                String metrics = operator.scrapeMetrics();
                assertThat(sample(metrics, "operator_sdk_reconciliations_success_total", "kind=\"LabCluster\"")).isPositive();
                assertThat(sample(metrics, "operator_sdk_reconciliations_success_total", "kind=\"BgpPeerPool\"")).isPositive();
            });
            // Deleted while the operator runs, so its finalizer is honoured and nothing is left behind.
            client.resources(BgpPeerPool.class).withName("packaged").delete();
            client.resources(LabCluster.class).withName("packaged").delete();
            await().atMost(Duration.ofSeconds(60)).until(() -> client.resources(BgpPeerPool.class).withName("packaged").get() == null
                    && client.resources(LabCluster.class).withName("packaged").get() == null);
        }
    }

    /** The sum of a Prometheus text-format metric's samples whose labels contain {@code label}. */
    private static double sample(String metrics, String name, String label) {
        return metrics.lines()
                .filter(line -> line.startsWith(name + "{") && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
