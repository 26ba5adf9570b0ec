package io.k8slab.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.bgp.BgpPeerPool;
import io.k8slab.lab.cluster.LabCluster;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.TestCluster;
import io.k8slab.lab.testing.TestClusterResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The packaged application (target/quarkus-app, started as {@code java -jar} the way deploy/ starts it) wires
 * both reconcilers through quarkus-operator-sdk and reconciles against a real API server.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = TestClusterResource.class, restrictToAnnotatedClass = true)
class PackagedOperatorIT {

    private final KubernetesClient client = TestCluster.get().client();

    @Test
    void packagedOperatorReconcilesBothResources() {
        client.resource(Manifests.toResource(Manifests.variant(Manifests.LAB_CLUSTER, "packaged", m -> {
        }), LabCluster.class)).serverSideApply();
        client.resource(Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, "packaged", m -> {
        }), BgpPeerPool.class)).serverSideApply();

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
    }
}
