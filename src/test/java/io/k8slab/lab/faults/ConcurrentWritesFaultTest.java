package io.k8slab.lab.faults;

import static io.k8slab.lab.faults.FaultSupport.WAIT;
import static io.k8slab.lab.faults.FaultSupport.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.bgp.BgpPeerPoolReconciler;
import io.k8slab.lab.cluster.LabClusterReconciler;
import io.k8slab.lab.cluster.NodeLabels;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.Nodes;
import io.k8slab.lab.testing.TestCluster;

/**
 * Faults from concurrency against the real API server with the reconcilers in-process: a burst of updates to one
 * pool, and another client writing the objects the operator owns while it runs.
 */
class ConcurrentWritesFaultTest {

    private static final String NETWORKS = "aaa-faults-networks";
    private static final String CLUSTER = "zz-faults-conflict";
    private static final String NODE = "faults-conflict-cp";
    private static final String OTHER_LABEL = "other.example.com/owner";

    private static LocalOperator operator;
    private static KubernetesClient other;
    private static final List<String> pools = new ArrayList<>();

    @BeforeAll
    static void start() {
        client.resource(Manifests.toResource(networksOnly(NETWORKS), LabCluster.class)).serverSideApply();
        other = TestCluster.get().newClient("some-other-writer");
        operator = new LocalOperator(List.of(new LabClusterReconciler(), new BgpPeerPoolReconciler()));
    }

    @AfterAll
    static void stop() {
        operator.close();
        other.close();
        pools.forEach(p -> FaultSupport.deleteQuietly(() -> client.resources(BgpPeerPool.class).withName(p).delete()));
        FaultSupport.deleteQuietly(() -> client.resources(LabCluster.class).withName(CLUSTER).delete());
        FaultSupport.deleteQuietly(() -> client.resources(LabCluster.class).withName(NETWORKS).delete());
        FaultSupport.deleteQuietly(() -> client.nodes().withName(NODE).delete());
    }

    @Test
    void aBurstOfHundredUpdatesEndsInTheLastOne() {
        String configMap = FaultSupport.configMapName("faults-burst");
        String name = "faults-burst";
        pools.add(name);
        client.resource(FaultSupport.pool(name, configMap, m -> {
        })).create();
        FaultSupport.awaitCondition(name, BgpPeerPoolConditions.CONFIG_APPLIED, "True");

        // 100 merge patches as fast as one client sends them; each changes what MetalLB would be told.
        long started = System.nanoTime();
        long lastGeneration = 0;
        for (int i = 0; i < 100; i++) {
            String patch = "{\"spec\":{\"addressPools\":[{\"name\":\"my-ip-space\",\"protocol\":\"bgp\",\"addresses\":[\"192.168." + i
                    + ".0/24\"],\"autoAssign\":" + (i % 2 == 0) + ",\"avoidBuggyIPs\":" + (i % 3 == 0) + "}]}}";
            lastGeneration = client.resources(BgpPeerPool.class).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch)
                    .getMetadata().getGeneration();
        }
        long burstMillis = (System.nanoTime() - started) / 1_000_000;
        // Reported, not asserted: on a loaded machine the burst is slower, the outcome must not differ.
        System.out.println("faults: 100 updates sent in " + burstMillis + " ms");

        BgpPeerPool last = FaultSupport.live(name);
        assertThat(last.getMetadata().getGeneration()).isEqualTo(lastGeneration);
        assertThat(last.getSpec().addressPools.get(0).addresses).containsExactly("192.168.99.0/24");
        FaultSupport.awaitInForce(name, configMap);
        assertThat(FaultSupport.live(name).getMetadata().getGeneration()).isEqualTo(lastGeneration);
        assertThat(FaultSupport.config(configMap)).contains("192.168.99.0/24").contains("auto-assign: false")
                .doesNotContain("192.168.98.0/24");
    }

    @Test
    void anotherWriterOfTheConfigMapIsOverruled() {
        String configMap = FaultSupport.configMapName("faults-cm");
        String name = "faults-cm-writer";
        pools.add(name);
        client.resource(FaultSupport.pool(name, configMap, m -> {
        })).create();
        FaultSupport.awaitInForce(name, configMap);
        String rendered = FaultSupport.config(configMap);

        for (int round = 0; round < 3; round++) {
            String foreign = rendered.replace("172.17.254.0/24", "172.17.9" + round + ".0/24");
            other.configMaps().inNamespace(FaultSupport.METALLB_NAMESPACE).withName(configMap).edit(cm -> {
                cm.getData().put("config", foreign);
                return cm;
            });
            await().atMost(WAIT).untilAsserted(() -> assertThat(FaultSupport.config(configMap))
                    .as("the operator's config is back").isEqualTo(rendered));
        }
        FaultSupport.awaitInForce(name, configMap);
    }

    /** Another client's label on MetalLB's ConfigMap is not the operator's to remove when it repairs the config. */
    @Test
    void anotherWritersOwnLabelOnTheConfigMapSurvivesTheRepair() {
        String configMap = FaultSupport.configMapName("faults-cmlabel");
        String name = "faults-cm-label";
        pools.add(name);
        client.resource(FaultSupport.pool(name, configMap, m -> {
        })).create();
        FaultSupport.awaitInForce(name, configMap);
        String rendered = FaultSupport.config(configMap);

        other.configMaps().inNamespace(FaultSupport.METALLB_NAMESPACE).withName(configMap).edit(cm -> {
            cm.getData().put("config", rendered.replace("172.17.254.0/24", "172.17.99.0/24"));
            var labels = new java.util.HashMap<String, String>(cm.getMetadata().getLabels() == null ? Map.of() : cm.getMetadata().getLabels());
            labels.put(OTHER_LABEL, "kept");
            cm.getMetadata().setLabels(labels);
            return cm;
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(FaultSupport.config(configMap)).isEqualTo(rendered));
        assertThat(FaultSupport.configMap(configMap).getMetadata().getLabels()).as("the other writer's label stays")
                .containsEntry(OTHER_LABEL, "kept");
    }

    @Test
    void anotherWriterOfNodeLabelsIsOverruledOnlyOnTheOperatorsLabels() {
        Nodes.registerReady(client, NODE, "127.17.0.10", "v1.20.2");
        client.resource(Manifests.toResource(Manifests.variant(Manifests.LAB_CLUSTER, CLUSTER, m -> {
            ArrayNode nodes = (ArrayNode) m.at("/spec/nodes");
            nodes.removeAll();
            // a control-plane node is labelled but never joined: no SSH
            ObjectNode cp = nodes.addObject().put("name", NODE).put("address", "127.17.0.10").put("role", "control-plane").put("type", "master");
            cp.putObject("labels").put("lab.k8slab.io/rack", "r9");
        }), LabCluster.class)).create();

        Map<String, String> owned = Map.of(NodeLabels.ROLE_PREFIX + "control-plane", "", NodeLabels.TYPE, "master",
                "lab.k8slab.io/rack", "r9", NodeLabels.CLUSTER, CLUSTER);
        await().atMost(WAIT).untilAsserted(() -> assertThat(labels()).containsAllEntriesOf(owned));

        // The other client adds a label of its own, changes one the operator owns and removes another.
        other.nodes().withName(NODE).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"labels\":{\"" + OTHER_LABEL + "\":\"kept\",\"type\":\"hijacked\",\"lab.k8slab.io/rack\":null}}}");
        assertThat(labels()).containsEntry("type", "hijacked").doesNotContainKey("lab.k8slab.io/rack");

        await().atMost(WAIT).untilAsserted(() -> assertThat(labels()).containsAllEntriesOf(owned).containsEntry(OTHER_LABEL, "kept"));

        // And again, the membership label this time: the repair is not a one-off.
        other.nodes().withName(NODE).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"labels\":{\"" + NodeLabels.CLUSTER + "\":null,\"node-role.kubernetes.io/control-plane\":null}}}");
        await().atMost(WAIT).untilAsserted(() -> assertThat(labels()).containsAllEntriesOf(owned).containsEntry(OTHER_LABEL, "kept"));
    }

    /**
     * The example cluster with only its control plane, under a name no Node has: it gives the BgpPeerPool
     * reconciler the lab's networks and makes the LabCluster reconciler do nothing (a control plane is never joined).
     * Its address is its own too, so it claims no machine another test's LabCluster lists.
     */
    static com.fasterxml.jackson.databind.JsonNode networksOnly(String name) {
        int hash = name.hashCode() & 0xffff;
        return Manifests.variant(Manifests.LAB_CLUSTER, name, m -> {
            ArrayNode nodes = (ArrayNode) m.at("/spec/nodes");
            ObjectNode cp = (ObjectNode) nodes.get(0);
            nodes.removeAll();
            nodes.add(cp.put("name", name + "-cp").put("address", "127.253." + (hash >> 8) + "." + ((hash & 0xff) | 1)));
        });
    }

    private static Map<String, String> labels() {
        Node node = client.nodes().withName(NODE).get();
        return node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    }
}
