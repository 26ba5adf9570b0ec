package io.k8slab.lab.faults;

import static io.k8slab.lab.faults.FaultSupport.WAIT;
import static io.k8slab.lab.faults.FaultSupport.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterConditions;
import io.k8slab.lab.api.v1alpha1.LabClusterSpec;
import io.k8slab.lab.bgp.BgpPeerPoolReconciler;
import io.k8slab.lab.cluster.LabClusterReconciler;
import io.k8slab.lab.cluster.LabClusterValidator;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.metallb.ParsedConfigFile;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;

/**
 * Seeded, repeatable fuzzing of the LabCluster and BgpPeerPool examples against the real API server and the
 * reconcilers: every mutated document is either refused by the schema (422) or accepted and then reported by a
 * Valid condition at its generation; no reconcile loop dies (the last generation of every fuzzed name is
 * observed, and a fresh valid pool is still applied afterwards), and a valid pool in another MetalLB ConfigMap
 * never sees its configuration touched.
 */
class BadInputFuzzTest {

    private static final long SEED = Long.getLong("faults.fuzz.seed", 20261125L);
    private static final int DOCUMENTS_PER_KIND = 150;
    private static final int NAMES_PER_KIND = 4;
    private static final String NETWORKS = "aaa-fuzz-networks";
    private static final ResourceDefinitionContext POOLS = ResourceDefinitionContext.fromResourceType(BgpPeerPool.class);
    private static final ResourceDefinitionContext CLUSTERS = ResourceDefinitionContext.fromResourceType(LabCluster.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Hold times around BGP's 16-bit limit and router IDs that are not unicast, planted besides the random mutations. */
    private static final String[] HOLD_TIMES = {"65535s", "65536s", "18h12m16s", "3000000h", "1h"};
    private static final String[] ROUTER_IDS = {"0.0.0.0", "0.1.2.3", "127.0.0.1", "224.0.0.5", "240.0.0.1", "255.255.255.255", "172.17.0.21"};

    /** What a reconciler that crashed on its input would log. */
    private static final java.util.regex.Pattern CRASHES = java.util.regex.Pattern.compile(
            "NullPointerException|ClassCastException|IndexOutOfBoundsException|NumberFormatException|IllegalStateException|"
                    + "ArithmeticException|Uncaught|Error during event processing");

    private static LocalOperator operator;
    private static final List<String> pools = new ArrayList<>();
    private static final List<String> clusters = new ArrayList<>();

    @BeforeAll
    static void start() {
        client.resource(Manifests.toResource(ConcurrentWritesFaultTest.networksOnly(NETWORKS), LabCluster.class)).serverSideApply();
        operator = new LocalOperator(List.of(new LabClusterReconciler(), new BgpPeerPoolReconciler()));
    }

    @AfterAll
    static void stop() {
        operator.close();
        pools.forEach(p -> FaultSupport.deleteQuietly(() -> client.resources(BgpPeerPool.class).withName(p).delete()));
        clusters.forEach(c -> FaultSupport.deleteQuietly(() -> client.resources(LabCluster.class).withName(c).delete()));
        FaultSupport.deleteQuietly(() -> client.resources(LabCluster.class).withName(NETWORKS).delete());
    }

    @Test
    void mutatedDocumentsAreRefusedOrReportedAndTouchNothingElse() {
        String referenceConfigMap = FaultSupport.configMapName("fuzz-ref");
        String fuzzConfigMap = FaultSupport.configMapName("fuzz-target");
        pools.add("fuzz-reference");
        client.resource(FaultSupport.pool("fuzz-reference", referenceConfigMap, m -> {
        })).create();
        FaultSupport.awaitInForce("fuzz-reference", referenceConfigMap);
        ConfigMap reference = FaultSupport.configMap(referenceConfigMap);

        io.k8slab.lab.join.LogCapture logs = new io.k8slab.lab.join.LogCapture();
        Random random = new Random(SEED);
        Map<String, Long> lastAccepted = new LinkedHashMap<>();
        java.util.Set<String> clusterReasons = new java.util.TreeSet<>();
        int rejected = 0;
        int accepted = 0;
        long started = System.nanoTime();
        for (int i = 0; i < DOCUMENTS_PER_KIND * 2; i++) {
            boolean pool = i % 2 == 0;
            String name = (pool ? "zz-fuzz-bpp-" : "zz-fuzz-lc-") + random.nextInt(NAMES_PER_KIND);
            if (!pool && random.nextInt(12) == 0) {
                name = name + "-" + "n".repeat(52); // 64 characters: too long for the label value it becomes
            }
            (pool ? pools : clusters).add(name);
            ObjectNode document = pool ? fuzzPool(random, name, fuzzConfigMap) : fuzzCluster(random, name);
            try {
                GenericKubernetesResource written = write(pool ? POOLS : CLUSTERS, document);
                lastAccepted.put(name, written.getMetadata().getGeneration());
                accepted++;
                if (!pool) {
                    LabClusterSpec spec = Serialization.jsonMapper().convertValue(written.getAdditionalProperties().get("spec"), LabClusterSpec.class);
                    LabClusterValidator.validate(name, spec).forEach(v -> clusterReasons.add(v.reason()));
                }
            } catch (KubernetesClientException e) {
                assertThat(e.getCode()).as("refusal of document %d (%s): %s", i, document, e.getMessage()).isEqualTo(422);
                rejected++;
            }
            if (i % 50 == 49) {
                assertUntouched(reference);
            }
        }
        System.out.printf("faults: fuzzed %d documents (seed %d) in %d ms: %d refused by the schema, %d accepted%n",
                DOCUMENTS_PER_KIND * 2, SEED, (System.nanoTime() - started) / 1_000_000, rejected, accepted);
        assertThat(rejected).as("the fuzzer reaches the schema").isPositive();
        assertThat(accepted).as("the fuzzer reaches the reconcilers").isPositive();
        System.out.println("faults: LabCluster reasons reached: " + clusterReasons);
        assertThat(clusterReasons).as("the fuzzer reaches the LabCluster input rules")
                .contains("InvalidLabelKey", "InvalidLabelValue", "ReservedLabel", "NameTooLong", "TokenTTLTooLong", "InvalidPort");

        // Every name's last accepted generation is reconciled and judged: no loop died on the way.
        await().atMost(WAIT).untilAsserted(() -> lastAccepted.forEach((name, generation) -> {
            if (name.startsWith("zz-fuzz-bpp-")) {
                BgpPeerPool live = FaultSupport.live(name);
                assertThat(live.getStatus()).as(name).isNotNull();
                assertThat(live.getStatus().observedGeneration).as(name + " observedGeneration").isGreaterThanOrEqualTo(generation);
                assertThat(Conditions.find(live.getStatus().conditions, BgpPeerPoolConditions.VALID)).as(name + " Valid").isPresent();
            } else {
                LabCluster live = client.resources(LabCluster.class).withName(name).get();
                assertThat(live.getStatus()).as(name).isNotNull();
                assertThat(live.getStatus().observedGeneration).as(name + " observedGeneration").isGreaterThanOrEqualTo(generation);
                assertThat(Conditions.find(live.getStatus().conditions, LabClusterConditions.VALID)).as(name + " Valid").isPresent();
            }
        }));
        // A pool reported valid is in force in its MetalLB ConfigMap.
        String fuzzConfig = FaultSupport.config(fuzzConfigMap);
        int valid = 0;
        for (String name : lastAccepted.keySet()) {
            if (name.startsWith("zz-fuzz-bpp-")) {
                BgpPeerPool live = FaultSupport.live(name);
                if (Conditions.isTrue(live.getStatus().conditions, BgpPeerPoolConditions.VALID)) {
                    valid++;
                    assertThat(fuzzConfig).as("config of " + fuzzConfigMap + " with " + name + " valid").isNotNull();
                    var inForce = ParsedConfigFile.parse(fuzzConfig).pools().keySet();
                    live.getSpec().addressPools.forEach(p -> assertThat(inForce).as(name).contains(p.name));
                }
            }
        }
        System.out.println("faults: fuzzed pools valid at the end: " + valid);
        logs.close();
        assertThat(logs.lines()).as("the capture sees the operator's logs").anyMatch(line -> line.startsWith("io.k8slab"));
        List<String> failures = logs.lines().stream().filter(line -> line.split(" ", 3).length > 1
                && (line.split(" ", 3)[1].equals("ERROR") || CRASHES.matcher(line).find())).toList();
        assertThat(failures).as("reconcile errors logged while fuzzing").isEmpty();
        assertUntouched(reference);
        FaultSupport.awaitInForce("fuzz-reference", referenceConfigMap);

        // The operator still serves: a fresh valid pool elsewhere is applied.
        String afterConfigMap = FaultSupport.configMapName("fuzz-after");
        pools.add("fuzz-after");
        client.resource(FaultSupport.pool("fuzz-after", afterConfigMap, m -> {
        })).create();
        FaultSupport.awaitInForce("fuzz-after", afterConfigMap);
        assertUntouched(reference);
    }

    private static void assertUntouched(ConfigMap reference) {
        ConfigMap now = FaultSupport.configMap(reference.getMetadata().getName());
        assertThat(now.getData()).as("the reference pool's MetalLB configuration").isEqualTo(reference.getData());
        assertThat(now.getMetadata().getResourceVersion()).as("no write to the reference ConfigMap")
                .isEqualTo(reference.getMetadata().getResourceVersion());
    }

    /** Creates the document or replaces the live object's spec with it, as kubectl apply/replace would. */
    private static GenericKubernetesResource write(ResourceDefinitionContext type, ObjectNode document) {
        GenericKubernetesResource resource = Manifests.toResource(document);
        var op = client.genericKubernetesResources(type).withName(resource.getMetadata().getName());
        GenericKubernetesResource live = op.get();
        if (live == null) {
            return client.genericKubernetesResources(type).resource(resource).create();
        }
        // The operator writes status and finalizers meanwhile: a 409 is a race, not a verdict on the document.
        for (int attempt = 0; ; attempt++) {
            resource.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
            try {
                return client.genericKubernetesResources(type).resource(resource).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
                live = op.get();
            }
        }
    }

    // --- the fuzzer -----------------------------------------------------------------------------------------

    static ObjectNode fuzzPool(Random random, String name, String configMap) {
        ObjectNode document = Manifests.variant(Manifests.BGP_PEER_POOL, name, m -> {
        });
        ObjectNode spec = (ObjectNode) document.get("spec");
        spec.remove("metallb");
        if (random.nextInt(3) == 0 && spec.path("peers").path(0) instanceof ObjectNode peer) {
            if (random.nextBoolean()) {
                peer.put("holdTime", HOLD_TIMES[random.nextInt(HOLD_TIMES.length)]);
            } else {
                peer.put("routerID", ROUTER_IDS[random.nextInt(ROUTER_IDS.length)]);
            }
        }
        mutate(random, spec, 1 + random.nextInt(3), true);
        // Whatever was mutated, MetalLB's target stays the fuzz ConfigMap (never the reference one, never an
        // install) and no router is asked: traffic stays on loopback.
        spec.putObject("metallb").put("version", "v0.7.3").put("namespace", FaultSupport.METALLB_NAMESPACE).put("configMapName", configMap)
                .put("install", false);
        spec.path("peers").forEach(peer -> {
            if (peer instanceof ObjectNode p) {
                p.remove("router");
            }
        });
        return document;
    }

    static ObjectNode fuzzCluster(Random random, String name) {
        ObjectNode document = Manifests.variant(Manifests.LAB_CLUSTER, name, m -> {
        });
        ObjectNode spec = (ObjectNode) document.get("spec");
        // Some documents get only the input rules' fields changed: the schema lets them through to the validator.
        mutate(random, spec, random.nextInt(4), false);
        fuzzClusterInput(random, spec);
        // Only loopback machines: any node address that is an IPv4 address outside 127/8 goes to 127.17.0.99.
        spec.path("nodes").forEach(node -> {
            if (node instanceof ObjectNode n && n.path("address").isTextual() && n.get("address").asText().matches("\\d+\\.\\d+\\.\\d+\\.\\d+.*")
                    && !n.get("address").asText().startsWith("127.")) {
                n.put("address", "127.17.0.99");
            }
        });
        return document;
    }

    private static final String[] LABEL_KEYS = {"rack", "lab.k8slab.io/rack", "Lab.io/rack", "rack/", "/rack", "a/b/c", "-rack",
            "r".repeat(64), "type", "node-role.kubernetes.io/x", "lab.k8slab.io/cluster", "", "rack space", "☃"};
    private static final String[] LABEL_VALUES = {"r1", "", "-r1", "r1.", "r 1", "v".repeat(64), "r/1", "☃", "\u0000"};
    private static final String[] TOKEN_TTLS = {"2m", "30m", "24h", "24h1s", "25h", "999999h", "1m"};
    private static final String[] HOST_KEY_POLICIES = {"KnownHosts", "TrustOnFirstUse", "trustonfirstuse", "", "Always"};
    private static final String[] ENDPOINT_PORTS = {"6443", "0", "65535", "65536", "99999", "1"};

    /** The LabCluster fields with rules of their own: extra labels, token lifetime, the endpoint's port, the host key policy. */
    private static int clusterInputs;

    private static void fuzzClusterInput(Random random, ObjectNode spec) {
        switch (clusterInputs++ % 5) { // in turn, so that every rule is reached whatever the seed
            case 0 -> {
                if (spec.path("nodes") instanceof ArrayNode nodes && !nodes.isEmpty() && nodes.get(random.nextInt(nodes.size())) instanceof ObjectNode node) {
                    node.putObject("labels").put(LABEL_KEYS[random.nextInt(LABEL_KEYS.length)], LABEL_VALUES[random.nextInt(LABEL_VALUES.length)]);
                }
            }
            case 1 -> {
                if (spec.path("join") instanceof ObjectNode join) {
                    join.put("tokenTTL", TOKEN_TTLS[random.nextInt(TOKEN_TTLS.length)]);
                }
            }
            case 2 -> spec.put("controlPlaneEndpoint", "127.0.0.1:" + ENDPOINT_PORTS[random.nextInt(ENDPOINT_PORTS.length)]);
            case 3 -> {
                if (spec.at("/join/ssh") instanceof ObjectNode ssh) {
                    ssh.put("hostKeyPolicy", HOST_KEY_POLICIES[random.nextInt(HOST_KEY_POLICIES.length)]);
                }
            }
            default -> {
            }
        }
    }

    private static void mutate(Random random, ObjectNode spec, int count, boolean pool) {
        for (int k = 0; k < count; k++) {
            List<Slot> slots = new ArrayList<>();
            collect(spec, slots);
            Slot slot = slots.get(random.nextInt(slots.size()));
            switch (random.nextInt(7)) {
                case 0 -> slot.remove();
                case 1 -> slot.set(otherType(random, slot.value()));
                case 2 -> slot.set(outOfRange(random));
                case 3 -> slot.set(JSON.textNode(garbage(random)));
                case 4 -> duplicateSomeItem(random, spec);
                case 5 -> overlap(random, spec, pool);
                default -> slot.set(JSON.textNode(slot.value().asText() + garbage(random)));
            }
        }
    }

    /** A place in the tree: the value under a field of an object or at an index of an array. */
    private record Slot(JsonNode parent, String field, int index) {
        JsonNode value() {
            return field != null ? parent.get(field) : parent.get(index);
        }

        void set(JsonNode value) {
            if (field != null) {
                ((ObjectNode) parent).set(field, value);
            } else {
                ((ArrayNode) parent).set(index, value);
            }
        }

        void remove() {
            if (field != null) {
                ((ObjectNode) parent).remove(field);
            } else {
                ((ArrayNode) parent).remove(index);
            }
        }
    }

    private static void collect(JsonNode node, List<Slot> slots) {
        if (node instanceof ObjectNode object) {
            object.fieldNames().forEachRemaining(f -> {
                slots.add(new Slot(object, f, -1));
                collect(object.get(f), slots);
            });
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                slots.add(new Slot(array, null, i));
                collect(array.get(i), slots);
            }
        }
    }

    private static JsonNode otherType(Random random, JsonNode value) {
        return switch (random.nextInt(6)) {
            case 0 -> value.isTextual() ? JSON.numberNode(random.nextInt(1000)) : JSON.textNode(value.toString());
            case 1 -> JSON.booleanNode(random.nextBoolean());
            case 2 -> JSON.arrayNode().add(value.deepCopy());
            case 3 -> JSON.objectNode().set("value", value.deepCopy());
            case 4 -> JSON.nullNode();
            default -> JSON.numberNode(random.nextDouble() * 1e6);
        };
    }

    private static JsonNode outOfRange(Random random) {
        long[] numbers = {-1, 0, 65536, 4294967296L, Long.MAX_VALUE, Integer.MIN_VALUE, 33, 129};
        return random.nextBoolean() ? JSON.numberNode(numbers[random.nextInt(numbers.length)])
                : JSON.textNode(new String[] {"0s", "-5s", "999999h", "1s", "10.0.0.0/33", "300.1.1.1", "172.17.254.0/-1", "64512.5"}[random.nextInt(8)]);
    }

    private static String garbage(Random random) {
        String[] pieces = {"", " ", "☃", "\u0000", "'; DROP TABLE", "../../etc", "${jndi:x}", "%s%n", "-", "a".repeat(300), "::1", "0x7f", "NaN"};
        StringBuilder text = new StringBuilder(pieces[random.nextInt(pieces.length)]);
        for (int i = random.nextInt(6); i > 0; i--) {
            text.append((char) (32 + random.nextInt(95)));
        }
        return text.toString();
    }

    private static void duplicateSomeItem(Random random, ObjectNode spec) {
        List<ArrayNode> arrays = new ArrayList<>();
        List<Slot> slots = new ArrayList<>();
        collect(spec, slots);
        slots.stream().map(Slot::value).filter(v -> v instanceof ArrayNode a && !a.isEmpty()).forEach(v -> arrays.add((ArrayNode) v));
        if (!arrays.isEmpty()) {
            ArrayNode array = arrays.get(random.nextInt(arrays.size()));
            array.add(array.get(random.nextInt(array.size())).deepCopy());
        }
    }

    private static void overlap(Random random, ObjectNode spec, boolean pool) {
        if (pool) {
            JsonNode addresses = spec.at("/addressPools/0/addresses");
            String[] overlapping = {"172.17.254.128/25", "172.17.254.5-172.17.254.9", "172.17.0.0/16", "10.244.3.0/24", "10.96.0.1-10.96.0.2",
                    "127.17.0.0/24"};
            if (addresses instanceof ArrayNode a) {
                a.add(overlapping[random.nextInt(overlapping.length)]);
            }
        } else if (spec.get("networks") instanceof ObjectNode networks) {
            String[] fields = {"nodeCIDR", "podCIDR", "serviceCIDR"};
            String[] values = {"10.244.0.0/16", "10.96.0.0/12", "127.17.0.0/24", "10.0.0.0/8", "127.0.0.0/8"};
            networks.put(fields[random.nextInt(3)], values[random.nextInt(values.length)]);
        }
    }
}
