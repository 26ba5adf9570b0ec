package io.k8slab.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterConditions;
import io.k8slab.lab.bgp.BgpPeerPoolReconciler;
import io.k8slab.lab.cluster.LabClusterReconciler;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.testing.Kubectl;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.Nodes;
import io.k8slab.lab.testing.TestCluster;

/**
 * The operator against a real API server: both reconcilers start, write observedGeneration and a Ready
 * condition with a server-side-apply status patch, and kubectl shows the printer columns.
 */
class OperatorStatusTest {

    private static LocalOperator operator;
    private static final KubernetesClient client = TestCluster.get().client();

    @BeforeAll
    static void startOperator() {
        operator = new LocalOperator(List.of(new LabClusterReconciler(), new BgpPeerPoolReconciler()));
        client.resource(Manifests.toResource(Manifests.read(Manifests.LAB_CLUSTER), LabCluster.class)).serverSideApply();
        // MetalLB v0.7.3: the example's v0.16.1 would bring its validating webhook into the API server all tests share.
        client.resource(Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, "lab",
                m -> ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.7.3")), BgpPeerPool.class)).serverSideApply();
    }

    @AfterAll
    static void stopOperator() {
        operator.close();
        client.resources(LabCluster.class).withName("lab").delete();
        client.resources(BgpPeerPool.class).withName("lab").delete();
        client.nodes().delete();
    }

    @Test
    void labClusterStatusIsWrittenWithServerSideApply() {
        LabCluster cluster = awaitObserved(LabCluster.class, "lab");

        assertThat(Conditions.find(cluster.getStatus().conditions, LabClusterConditions.READY)).isPresent();
        assertThat(cluster.getStatus().ready).matches("[0-4]/4");
        assertThat(cluster.getStatus().nodes).extracting(n -> n.name)
                .containsExactly("k8s-master-01", "k8s-node-01", "k8s-node-02", "k8s-node-03");
        assertStatusAppliedServerSide(cluster);
    }

    @Test
    void bgpPeerPoolStatusIsWrittenWithServerSideApply() {
        BgpPeerPool pool = awaitObserved(BgpPeerPool.class, "lab");

        assertThat(Conditions.find(pool.getStatus().conditions, BgpPeerPoolConditions.READY)).isPresent();
        assertStatusAppliedServerSide(pool);
    }

    @Test
    void registeredNodesShowInStatusAndPrinterColumns() {
        awaitObserved(LabCluster.class, "lab");
        for (var node : Manifests.toResource(Manifests.read(Manifests.LAB_CLUSTER), LabCluster.class).getSpec().nodes) {
            Nodes.registerReady(client, node.name, node.address, "v1.30.2");
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            LabCluster cluster = client.resources(LabCluster.class).withName("lab").get();
            assertThat(cluster.getStatus().ready).isEqualTo("4/4");
            assertThat(Conditions.isTrue(cluster.getStatus().conditions, LabClusterConditions.READY)).isTrue();
        });
        assertThat(client.resources(LabCluster.class).withName("lab").get().getStatus().nodes)
                .allSatisfy(n -> assertThat(n.kubeletVersion).isEqualTo("v1.30.2"));

        awaitObserved(BgpPeerPool.class, "lab");
        String table = Kubectl.run("get", "lc,bpp");
        assertThat(table).containsPattern("NAME\\s+READY\\s+PHASE\\s+ENDPOINT\\s+AGE")
                .containsPattern("labcluster.lab.k8slab.io/lab\\s+4/4\\s+Ready\\s+172.17.0.10:6443")
                .containsPattern("NAME\\s+MY-ASN\\s+PEERS\\s+ROUTES\\s+IPS\\s+READY\\s+AGE")
                // IPS is empty while no spec of the pool is in force (v0.7.3 cannot be installed on this 1.20 server).
                .containsPattern("bgppeerpool.lab.k8slab.io/lab\\s+64522\\s+\\S+/\\d+\\s+\\S+/\\d+\\s+(\\d+/\\d+\\s+)?(True|False)\\s+");
    }

    @Test
    void overlappingServiceAndPodNetworksAreReported() {
        var manifest = Manifests.variant(Manifests.LAB_CLUSTER, "overlap", m -> ((com.fasterxml.jackson.databind.node.ObjectNode) Manifests
                .at(m, "spec.networks")).put("serviceCIDR", "10.244.0.0/16"));
        client.resource(Manifests.toResource(manifest, LabCluster.class)).serverSideApply();
        try {
            LabCluster cluster = awaitObserved(LabCluster.class, "overlap");
            var valid = Conditions.find(cluster.getStatus().conditions, LabClusterConditions.VALID).orElseThrow();
            assertThat(valid.getStatus()).isEqualTo("False");
            assertThat(valid.getReason()).isEqualTo("NetworksOverlap");
            assertThat(valid.getMessage()).contains("spec.networks.serviceCIDR", "10.244.0.0-10.244.255.255", "podCIDR");
            assertThat(cluster.getStatus().phase).isEqualTo("Invalid");
        } finally {
            client.resources(LabCluster.class).withName("overlap").delete();
        }
    }

    private static <T extends HasMetadata> T awaitObserved(Class<T> type, String name) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(type).withName(name).get(),
                r -> r != null && r.getMetadata().getGeneration().equals(observedGeneration(r)));
    }

    private static Long observedGeneration(HasMetadata resource) {
        Object status = ((io.fabric8.kubernetes.client.CustomResource<?, ?>) resource).getStatus();
        if (status instanceof io.k8slab.lab.api.v1alpha1.LabClusterStatus s) {
            return s.observedGeneration;
        }
        return status instanceof io.k8slab.lab.api.v1alpha1.BgpPeerPoolStatus s ? s.observedGeneration : null;
    }

    /** The status fields belong to a field manager whose operation is Apply: the reconciler used SSA, not a merge patch. */
    private static void assertStatusAppliedServerSide(HasMetadata resource) {
        List<ManagedFieldsEntry> entries = resource.getMetadata().getManagedFields();
        assertThat(entries)
                .filteredOn(e -> "Apply".equals(e.getOperation()))
                .anySatisfy(e -> assertThat(e.getFieldsV1().getAdditionalProperties()).containsKey("f:status"));
    }
}
