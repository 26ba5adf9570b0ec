package io.k8slab.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.cluster.LabFixture;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.Nodes;
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

    /**
     * The lab's own metrics on /q/metrics move with what the operator does: a worker joined over SSH (a fake machine
     * on loopback) counts a join started and succeeded, its duration and a token issued and deleted; a BgpPeerPool
     * the operator refuses counts a refusal by reason; once accepted, its ConfigMap write counts; a speaker node
     * moves the sessions expected at the pool's peer. (Established sessions and routes by state need a router that
     * answers: LabMetricsTest covers their gauges.)
     */
    @Test
    void packagedOperatorExportsTheLabsOwnMetrics() {
        String pool = "packaged-metrics";
        String configMap = "packaged-metrics-config";
        String node = "packaged-metrics-node";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(TestCluster.METALLB_NAMESPACE).endMetadata().build())
                .serverSideApply();
        try (PackagedOperator operator = PackagedOperator.start("packaged-metrics-it", Map.of());
                LabFixture lab = LabFixture.start("packaged-metrics", 42, 1)) {
            operator.awaitReady(Duration.ofMinutes(2));
            String before = operator.scrapeMetrics();
            assertThat(sample(before, "lab_joins_started_total", "")).isZero();
            assertThat(sample(before, "lab_bootstrap_tokens_issued_total", "")).isZero();

            lab.apply(lab.cluster(spec -> {
            }));
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                String metrics = operator.scrapeMetrics();
                assertThat(sample(metrics, "lab_joins_started_total", "")).isEqualTo(1);
                assertThat(sample(metrics, "lab_joins_succeeded_total", "")).isEqualTo(1);
                assertThat(sample(metrics, "lab_joins_failed_total", "")).isZero();
                assertThat(sample(metrics, "lab_join_duration_seconds_count", "outcome=\"succeeded\"")).isEqualTo(1);
                assertThat(sample(metrics, "lab_join_duration_seconds_bucket", "le=\"600.0\"")).isEqualTo(1);
                assertThat(sample(metrics, "lab_bootstrap_tokens_issued_total", "")).isEqualTo(1);
                // The token goes once no join is pending.
                assertThat(sample(metrics, "lab_bootstrap_tokens_deleted_total", "")).isEqualTo(1);
            });

            // MetalLB v0.7.3 with install: true cannot run on this 1.20 API server: refused, nothing written.
            client.resource(Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, pool, m -> {
                ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.7.3").put("configMapName", configMap).put("install", true);
                ((ObjectNode) m.at("/spec/peers/0")).remove("router");
                ObjectNode addressPool = (ObjectNode) m.at("/spec/addressPools/0");
                addressPool.put("name", "packaged-metrics-space");
                addressPool.withArray("addresses").removeAll().add("172.17.234.0/24");
            }), BgpPeerPool.class)).create();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    sample(operator.scrapeMetrics(), "lab_metallb_config_refusals_total", "reason=\"IncompatibleKubernetes\"")).isEqualTo(1));
            String refused = operator.scrapeMetrics();
            assertThat(sample(refused, "lab_metallb_config_writes_total", "")).isZero();
            assertThat(sample(refused, "lab_bgp_sessions_expected", "pool=\"" + pool + "\"")).isZero();

            // A merge patch without resourceVersion: the operator writes the pool's status meanwhile.
            client.resources(BgpPeerPool.class).withName(pool).patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"metallb\":{\"install\":false}}}");
            Nodes.registerReady(client, node, "127.0.82.21", "v1.20.2");
            Nodes.readySpeaker(client, TestCluster.METALLB_NAMESPACE, "speaker-" + node, node, "127.0.82.21", "metallb/speaker:v0.7.3");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String metrics = operator.scrapeMetrics();
                assertThat(sample(metrics, "lab_metallb_config_writes_total", "mode=\"configmap\"")).isEqualTo(1);
                assertThat(sample(metrics, "lab_bgp_sessions_expected", "peer=\"rt-01\",pool=\"" + pool + "\"")).isEqualTo(1);
            });
            assertThat(sample(operator.scrapeMetrics(), "lab_metallb_config_refusals_total", "")).as("one refusal, not one per reconcile")
                    .isEqualTo(1);

            client.resources(BgpPeerPool.class).withName(pool).delete();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String metrics = operator.scrapeMetrics();
                assertThat(sample(metrics, "lab_metallb_config_writes_total", "cause=\"removal\"")).isEqualTo(1);
                assertThat(sample(metrics, "lab_bgp_sessions_expected", "pool=\"" + pool + "\"")).as("gone with the pool").isZero();
                assertThat(metrics).doesNotContain("pool=\"" + pool + "\"");
            });
            client.resources(LabCluster.class).withName(lab.name).delete();
        } finally {
            client.resources(BgpPeerPool.class).withName(pool).delete();
            client.pods().inNamespace(TestCluster.METALLB_NAMESPACE).withName("speaker-" + node).withGracePeriod(0).delete();
            client.nodes().withName(node).delete();
        }
    }

    /** The sum of a Prometheus text-format metric's samples (with or without labels) whose labels contain {@code label}. */
    private static double sample(String metrics, String name, String label) {
        return metrics.lines()
                .filter(line -> (line.startsWith(name + "{") || line.startsWith(name + " ")) && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
