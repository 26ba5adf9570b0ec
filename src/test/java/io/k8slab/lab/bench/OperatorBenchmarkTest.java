package io.k8slab.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.api.v1alpha1.NodeRole;
import io.k8slab.lab.cluster.NodeLabels;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.Nodes;
import io.k8slab.lab.testing.PackagedOperator;
import io.k8slab.lab.testing.TestCluster;

/**
 * {@code make bench}: the packaged operator, started as deploy/operator starts it, against the real test API
 * server. Figures go to target/bench/report.md (and .json); nothing here asserts a time. Sizes can be lowered for
 * a quick look: -Dbench.nodes, -Dbench.services, -Dbench.unrelated, -Dbench.iterations, -Dbench.idleSeconds.
 */
@Tag("bench")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorBenchmarkTest {

    private static final int ITERATIONS = Integer.getInteger("bench.iterations", 40);
    private static final int NODES = Integer.getInteger("bench.nodes", 1000);
    private static final int UNRELATED = Integer.getInteger("bench.unrelated", 10_000);
    /** The test control plane's Service and NodePort ranges ({@link io.k8slab.lab.testing.ControlPlane}) hold this many. */
    private static final int SERVICES = Integer.getInteger("bench.services", 5000);
    private static final int IDLE_SECONDS = Integer.getInteger("bench.idleSeconds", 60);
    private static final String MLB = TestCluster.METALLB_NAMESPACE;
    private static final String CONFIG_MAP = "bench";

    /** How long both operators sit idle after start before their footprint is read. */
    private static final int SETTLE_SECONDS = Integer.getInteger("bench.settleSeconds", 20);

    private static final KubernetesClient client = TestCluster.get().client();
    private static PackagedOperator operator;
    private static PackagedOperator floorOperator;
    private static Duration floorReady;
    private static Duration ready;

    @BeforeAll
    static void startOperator() throws IOException {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(MLB).endMetadata().build()).serverSideApply();
        assertSameStack();
        // One after the other, so neither start competes with the other for the CPUs.
        floorOperator = PackagedOperator.startFloor("bench-floor");
        floorReady = floorOperator.awaitReady(Duration.ofMinutes(2));
        operator = PackagedOperator.start("bench", Map.of());
        ready = operator.awaitReady(Duration.ofMinutes(2));
        BenchReport.record("5. Footprint", "start to ready (packaged, deploy/ JVM settings)", Map.of("ms", ready.toMillis()));
    }

    /** The floor is only a floor on the operator's own Quarkus and quarkus-operator-sdk. */
    private static void assertSameStack() throws IOException {
        String operatorPom = Files.readString(Path.of("pom.xml"));
        String floorPom = Files.readString(Path.of("bench", "floor-operator", "pom.xml"));
        for (String version : List.of("quarkus.version", "quarkus-operator-sdk.version")) {
            var pattern = java.util.regex.Pattern.compile("<" + version + ">([^<]+)<");
            var ours = pattern.matcher(operatorPom);
            var floors = pattern.matcher(floorPom);
            assertThat(ours.find() && floors.find()).as(version + " in both poms").isTrue();
            assertThat(floors.group(1)).as("bench/floor-operator's " + version).isEqualTo(ours.group(1));
        }
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
        if (floorOperator != null) {
            floorOperator.close();
        }
    }

    @Test
    @Order(0)
    void footprintAgainstTheFloorOperator() throws IOException {
        sleepSeconds(SETTLE_SECONDS);
        long rss = operator.residentBytes();
        long floorRss = floorOperator.residentBytes();
        long heap = operator.heapAfterGcBytes();
        long floorHeap = floorOperator.heapAfterGcBytes();
        floorOperator.close();
        floorOperator = null;
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("start to ready ms", ready.toMillis());
        figures.put("floor start to ready ms", floorReady.toMillis());
        figures.put("start to ready - floor ms (goal <= 500)", ready.minus(floorReady).toMillis());
        figures.put("idle rss MiB (goal <= 150)", round(rss / 1048576.0));
        figures.put("floor idle rss MiB", round(floorRss / 1048576.0));
        figures.put("idle rss / floor (goal <= 1.15)", Math.round(100.0 * rss / floorRss) / 100.0);
        figures.put("idle heap after GC MiB", round(heap / 1048576.0));
        figures.put("floor idle heap after GC MiB", round(floorHeap / 1048576.0));
        figures.put("idle seconds", SETTLE_SECONDS);
        figures.put("jvm flags", String.join(" ", PackagedOperator.imageJvmArgs()));
        BenchReport.record("5. Footprint", "against the floor operator (bench/floor-operator: one do-nothing reconciler, same flags)", figures);
        assertThat(rss).isPositive();
    }

    @Test
    @Order(1)
    void bgpConvergenceAgainstThePhysicalFloor() {
        // MetalLB v0.7.3's ConfigMap (installing v0.7.3 is refused on this 1.20 API server, and no MetalLB runs here),
        // a router API to ask (unreachable here, so the status is refreshed on the router interval: the steady state
        // below includes those timed reconciles).
        BgpPeerPool pool = Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, "bench", m ->
                ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.7.3").put("namespace", MLB).put("configMapName", CONFIG_MAP)
                        .put("install", false)), BgpPeerPool.class);
        client.resource(pool).create();
        awaitConfig("auto-assign: true");

        // Each change is one JSON patch (one round trip, as the floor's apply); its arrivals are timed by watches
        // opened before it. The floor's samples are taken between the changes, so both see the same load on this
        // shared machine.
        var floorConfig = new ConfigMapBuilder(client.configMaps().inNamespace(MLB).withName(CONFIG_MAP).get())
                .editMetadata().withName("floor").withResourceVersion(null).withUid(null).withManagedFields().endMetadata().build();
        List<Double> floor = new ArrayList<>();
        List<Double> convergence = new ArrayList<>();
        List<Double> configWritten = new ArrayList<>();
        try (var configs = new Arrivals<>(client.configMaps().inNamespace(MLB).withName(CONFIG_MAP));
                var pools = new Arrivals<>(client.resources(BgpPeerPool.class).withName("bench"))) {
            for (int i = 0; i < ITERATIONS; i++) {
                floor.add(floorSample(floorConfig, i));
                String fragment = "auto-assign: " + (i % 2 != 0);
                long start = System.nanoTime();
                BgpPeerPool changed = client.resources(BgpPeerPool.class).withName("bench").patch(PatchContext.of(PatchType.JSON),
                        "[{\"op\":\"replace\",\"path\":\"/spec/addressPools/0/autoAssign\",\"value\":" + (i % 2 != 0) + "}]");
                long generation = changed.getMetadata().getGeneration();
                configWritten.add(millisBetween(start, configs.await(start,
                        c -> c.getData() != null && c.getData().getOrDefault("config", "").contains(fragment), 60)));
                convergence.add(millisBetween(start, pools.await(start,
                        p -> p.getStatus() != null && Long.valueOf(generation).equals(p.getStatus().observedGeneration), 30)));
            }
        }

        List<Double> labelled = labelConvergence(floorConfig, floor);

        var toConfig = BenchReport.Summary.of(configWritten);
        var toStatus = BenchReport.Summary.of(convergence);
        var physical = BenchReport.Summary.of(floor);
        BenchReport.record("1. Convergence", "BgpPeerPool change -> MetalLB ConfigMap written", summary(toConfig, physical));
        BenchReport.record("1. Convergence", "BgpPeerPool change -> status.observedGeneration caught up", summary(toStatus, physical));
        BenchReport.record("1. Convergence", "LabCluster label change -> label on the Node", summary(BenchReport.Summary.of(labelled), physical));
        BenchReport.record("2. Physical floor", "one server-side apply of the same ConfigMap by a plain client", summary(physical, physical));
    }

    /** A LabCluster whose one (control-plane, so never joined) node is registered: time from a label edit to the Node. */
    private static List<Double> labelConvergence(ConfigMap floorConfig, List<Double> floor) {
        Nodes.registerReady(client, "bench-cp", "172.16.255.1", "v1.30.2");
        LabCluster cluster = Manifests.toResource(Manifests.variant(Manifests.LAB_CLUSTER, "bench-labels", m -> {
            ((ObjectNode) m.at("/spec/networks")).put("nodeCIDR", "172.16.0.0/16");
        }), LabCluster.class);
        LabNode node = labNode(0);
        node.name = "bench-cp";
        node.address = "172.16.255.1";
        node.role = NodeRole.CONTROL_PLANE;
        cluster.getSpec().nodes = List.of(node);
        client.resource(cluster).create();
        client.nodes().withName("bench-cp").waitUntilCondition(n -> n.getMetadata().getLabels().containsKey(NodeLabels.CLUSTER), 60, TimeUnit.SECONDS);
        List<Double> samples = new ArrayList<>();
        try (var nodes = new Arrivals<>(client.nodes().withName("bench-cp"))) {
            for (int i = 0; i < ITERATIONS; i++) {
                floor.add(floorSample(floorConfig, ITERATIONS + i));
                String value = "v" + i;
                long start = System.nanoTime();
                client.resources(LabCluster.class).withName("bench-labels").patch(PatchContext.of(PatchType.JSON),
                        "[{\"op\":\"add\",\"path\":\"/spec/nodes/0/labels\",\"value\":{\"bench-iteration\":\"" + value + "\"}}]");
                samples.add(millisBetween(start, nodes.await(start,
                        n -> value.equals(n.getMetadata().getLabels().get("bench-iteration")), 60)));
            }
        }
        client.resources(LabCluster.class).withName("bench-labels").delete();
        return samples;
    }

    @Test
    @Order(2)
    void steadyStateRequests() throws InterruptedException {
        int before = TestCluster.get().auditLog().requestsBy(TestCluster.OPERATOR_USER_AGENT).size();
        Thread.sleep(IDLE_SECONDS * 1000L);
        List<JsonNode> window = TestCluster.get().auditLog().requestsBy(TestCluster.OPERATOR_USER_AGENT);
        List<JsonNode> requests = window.subList(before, window.size());
        double minutes = IDLE_SECONDS / 60.0;
        Map<String, Object> perMinute = new LinkedHashMap<>();
        for (String verb : List.of("create", "update", "patch", "delete", "get", "list", "watch")) {
            perMinute.put(verb, requests.stream().filter(r -> verb.equals(r.path("verb").asText())).count() / minutes);
        }
        // The Lease is leader election's heartbeat: a write by design, counted apart from the operator's work.
        long writes = requests.stream().filter(r -> List.of("create", "update", "patch", "delete").contains(r.path("verb").asText()))
                .filter(r -> !"leases".equals(r.path("objectRef").path("resource").asText())).count();
        long leaseRequests = requests.stream().filter(r -> "leases".equals(r.path("objectRef").path("resource").asText())).count();
        perMinute.put("writes other than the Lease (goal 0)", writes / minutes);
        perMinute.put("Lease requests (leader election)", leaseRequests / minutes);
        perMinute.put("window seconds", IDLE_SECONDS);
        BenchReport.record("3. Steady state", "API requests per minute with nothing changing", perMinute);
        BenchReport.record("5. Footprint", "idle", Map.of("rss bytes", operator.residentBytes(), "heap after GC bytes", operator.heapAfterGcBytes()));
    }

    @Test
    @Order(3)
    void labClusterWithManyNodes() {
        parallel(NODES, i -> Nodes.registerReady(client, nodeName(i), address(i), "v1.30.2"));
        LabCluster cluster = Manifests.toResource(Manifests.variant(Manifests.LAB_CLUSTER, "bench-scale", m -> {
            ((ObjectNode) m.at("/spec/networks")).put("nodeCIDR", "172.16.0.0/16");
        }), LabCluster.class);
        cluster.getSpec().nodes = IntStream.range(0, NODES).mapToObj(OperatorBenchmarkTest::labNode).toList();

        int requestsBefore = TestCluster.get().auditLog().requestsBy(TestCluster.OPERATOR_USER_AGENT).size();
        // Where the CPUs went (the step is CPU-bound on 2 cores): the operator, the API server and etcd, until status 1000/1000.
        long operatorCpu = CpuTime.millis(operator.pid());
        long apiServerCpu = CpuTime.millisOfChild("kube-apiserver");
        long etcdCpu = CpuTime.millisOfChild("etcd");
        double reconcile;
        LabCluster done;
        try (var arrivals = new Arrivals<>(client.resources(LabCluster.class).withName("bench-scale"))) {
            long start = System.nanoTime();
            client.resource(cluster).create();
            reconcile = millisBetween(start, arrivals.await(start,
                    c -> c.getStatus() != null && (NODES + "/" + NODES).equals(c.getStatus().ready), 600));
            operatorCpu = CpuTime.millis(operator.pid()) - operatorCpu;
            apiServerCpu = CpuTime.millisOfChild("kube-apiserver") - apiServerCpu;
            etcdCpu = CpuTime.millisOfChild("etcd") - etcdCpu;
            done = client.resources(LabCluster.class).withName("bench-scale").get();
        }
        // The cost to the master: how long the API server itself took over each label patch (its audit log's times).
        List<JsonNode> requests = TestCluster.get().auditLog().requestsBy(TestCluster.OPERATOR_USER_AGENT);
        List<Double> patchLatency = requests.subList(requestsBefore, requests.size()).stream()
                .filter(r -> "patch".equals(r.path("verb").asText()) && "nodes".equals(r.path("objectRef").path("resource").asText()))
                .map(r -> millisBetween(Instant.parse(r.path("requestReceivedTimestamp").asText()), Instant.parse(r.path("stageTimestamp").asText())))
                .toList();
        var server = BenchReport.Summary.of(patchLatency.isEmpty() ? List.of(0.0) : patchLatency);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("ms", round(reconcile));
        // Where the time went, on the API server's clock from the apply's arrival: labels, then the status.
        List<JsonNode> all = TestCluster.get().auditLog().requestsBy("");
        Instant applied = all.stream().filter(r -> "create".equals(r.path("verb").asText())
                && "labclusters".equals(r.path("objectRef").path("resource").asText()) && "bench-scale".equals(r.path("objectRef").path("name").asText()))
                .findFirst().map(r -> {
                    figures.put("apply done at ms", round(millisBetween(Instant.parse(r.path("requestReceivedTimestamp").asText()),
                            Instant.parse(r.path("stageTimestamp").asText()))));
                    return Instant.parse(r.path("requestReceivedTimestamp").asText());
                }).orElseThrow();
        List<JsonNode> window = requests.subList(requestsBefore, requests.size());
        Function<java.util.function.Predicate<JsonNode>, List<Double>> offsets = which -> window.stream().filter(which)
                .map(r -> millisBetween(applied, Instant.parse(r.path("stageTimestamp").asText()))).sorted().toList();
        List<Double> labels = offsets.apply(r -> "patch".equals(r.path("verb").asText()) && "nodes".equals(r.path("objectRef").path("resource").asText()));
        List<Double> statuses = offsets.apply(r -> "labclusters".equals(r.path("objectRef").path("resource").asText())
                && "status".equals(r.path("objectRef").path("subresource").asText()));
        figures.put("label patches", patchLatency.size());
        figures.put("label patches in flight at most", io.k8slab.lab.nodes.NodeLabeler.IN_FLIGHT);
        figures.put("API server time per label patch median ms", round(server.median()));
        figures.put("API server time per label patch p95 ms", round(server.p95()));
        if (!labels.isEmpty()) {
            figures.put("first label patch done at ms", round(labels.get(0)));
            figures.put("last label patch done at ms", round(labels.get(labels.size() - 1)));
        }
        figures.put("CPU ms: operator", operatorCpu);
        figures.put("CPU ms: API server", apiServerCpu);
        figures.put("CPU ms: etcd", etcdCpu);
        figures.put("load average at the end", loadAverage());
        figures.put("status writes", statuses.size());
        figures.put("status writes done at ms", statuses.stream().map(v -> Double.toString(round(v))).collect(java.util.stream.Collectors.joining(" ")));
        figures.put("status bytes", Serialization.asJson(done.getStatus()).length());
        figures.put("heap after GC bytes", operator.heapAfterGcBytes());
        figures.put("rss bytes", operator.residentBytes());

        // A resync with nothing changed: someone else's edit of a Node wakes the reconcile, which should write nothing.
        sleepSeconds(3);
        int writesBefore = TestCluster.get().auditLog().writesBy(TestCluster.OPERATOR_USER_AGENT).size();
        client.nodes().withName(nodeName(0)).edit(n -> {
            n.getMetadata().setAnnotations(Map.of("bench", "touched"));
            return n;
        });
        sleepSeconds(5);
        var writes = TestCluster.get().auditLog().writesBy(TestCluster.OPERATOR_USER_AGENT);
        figures.put("writes by a resync with nothing changed (goal 0)", writes.subList(writesBefore, writes.size()).stream()
                .filter(r -> !"leases".equals(r.path("objectRef").path("resource").asText())).count());
        BenchReport.record("4. Scale", "LabCluster with " + NODES + " registered nodes: apply -> status " + NODES + "/" + NODES, figures);
    }

    @Test
    @Order(4)
    void bgpPeerPoolWithManyServices() {
        // Three speaker nodes, SERVICES LoadBalancer Services with an ingress IP each in a /16 pool.
        for (int i = 0; i < 3; i++) {
            String node = "bench-speaker-" + i;
            Nodes.registerReady(client, node, "127.18.0." + (i + 1), "v1.30.2");
            var pod = client.pods().inNamespace(MLB).resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata()
                    .withName(node).withLabels(Map.of("app", "metallb", "component", "speaker")).endMetadata().withNewSpec()
                    .withNodeName(node).addNewContainer().withName("speaker").withImage("metallb/speaker:v0.7.3").endContainer()
                    .endSpec().build()).create();
            pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").addNewCondition()
                    .withType("Ready").withStatus("True").endCondition().build());
            client.resource(pod).updateStatus();
        }
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench-services").endMetadata().build())
                .serverSideApply();
        parallel(SERVICES, i -> {
            var service = client.services().inNamespace("bench-services").resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                    .withNewMetadata().withName("svc-" + i).endMetadata().withNewSpec().withType("LoadBalancer")
                    .withExternalTrafficPolicy("Cluster").addNewPort().withPort(80).withProtocol("TCP").endPort().endSpec().build()).create();
            service.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder().withNewLoadBalancer().addNewIngress()
                    .withIp("10.210." + (i / 250) + "." + (i % 250 + 1)).endIngress().endLoadBalancer().build());
            client.resource(service).updateStatus();
        });
        BgpPeerPool pool = Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, "bench-services", m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.7.3").put("namespace", MLB).put("configMapName", "bench-services")
                    .put("install", false);
            ((ObjectNode) m.at("/spec/addressPools/0")).put("name", "bench-space").putArray("addresses").add("10.210.0.0/16");
        }), BgpPeerPool.class);

        long start = System.nanoTime();
        client.resource(pool).create();
        BgpPeerPool done = client.resources(BgpPeerPool.class).withName("bench-services").waitUntilCondition(
                p -> p.getStatus() != null && p.getStatus().routeCounts != null
                        && Integer.valueOf(SERVICES).equals(p.getStatus().routeCounts.expected), 10, TimeUnit.MINUTES);
        BenchReport.record("4. Scale", "BgpPeerPool with " + SERVICES + " LoadBalancer Services: apply -> status with every expected route",
                Map.of("ms", millisSince(start), "status bytes", Serialization.asJson(done.getStatus()).length(),
                        "heap after GC bytes (beside the 1,000 nodes; goal < 128 MiB)", operator.heapAfterGcBytes(),
                        "rss bytes", operator.residentBytes()));
    }

    @Test
    @Order(5)
    void unrelatedObjectsDoNotGrowTheHeap() {
        // The same wait with nothing created first: how much the heap moves on its own (the noise to compare with).
        long heapSettled = operator.heapAfterGcBytes();
        sleepSeconds(10);
        long heapBefore = operator.heapAfterGcBytes();
        int namespaces = 10;
        IntStream.range(0, namespaces).forEach(n -> client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
                .withName("unrelated-" + n).endMetadata().build()).serverSideApply());
        parallel(UNRELATED / 2, i -> client.configMaps().inNamespace("unrelated-" + (i % namespaces)).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("cm-" + i).endMetadata().addToData("payload", "x".repeat(512)).build()).create());
        parallel(UNRELATED / 2, i -> client.secrets().inNamespace("unrelated-" + (i % namespaces)).resource(new SecretBuilder()
                .withNewMetadata().withName("secret-" + i).endMetadata().addToStringData("payload", "x".repeat(512)).build()).create());
        sleepSeconds(10);
        long heapAfter = operator.heapAfterGcBytes();
        BenchReport.record("6. Unrelated objects", UNRELATED + " ConfigMaps and Secrets in other namespaces",
                Map.of("heap before bytes", heapBefore, "heap after bytes", heapAfter, "growth bytes", heapAfter - heapBefore,
                        "growth over the same wait without them bytes", heapBefore - heapSettled));
        assertThat(operator.residentBytes()).isPositive();
    }

    // --- helpers -------------------------------------------------------------------------------------------

    /** The machine's 1-minute load average: the engineers sharing it move every wall time. */
    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The physical floor: one server-side apply of the operator's ConfigMap (as a copy of another name), timed. */
    private static double floorSample(ConfigMap floorConfig, int iteration) {
        floorConfig.getData().put("iteration", Integer.toString(iteration));
        long start = System.nanoTime();
        client.resource(floorConfig).fieldManager("bench-floor").forceConflicts().serverSideApply();
        return millisSince(start);
    }

    private static void awaitConfig(String fragment) {
        client.configMaps().inNamespace(MLB).withName(CONFIG_MAP).waitUntilCondition(
                c -> c != null && c.getData() != null && c.getData().getOrDefault("config", "").contains(fragment), 60, TimeUnit.SECONDS);
    }

    private static Map<String, Object> summary(BenchReport.Summary figure, BenchReport.Summary floor) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("median ms", round(figure.median()));
        values.put("p95 ms", round(figure.p95()));
        values.put("samples", figure.samples());
        values.put("median / floor median", round(figure.median() / floor.median()));
        values.put("p95 / floor p95", round(figure.p95() / floor.p95()));
        return values;
    }

    private static double millisBetween(long start, long end) {
        return (end - start) / 1_000_000.0;
    }

    private static double millisBetween(Instant start, Instant end) {
        return Duration.between(start, end).toNanos() / 1_000_000.0;
    }

    private static double millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000.0;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static String nodeName(int i) {
        return "bench-node-" + i;
    }

    private static String address(int i) {
        return "172.16." + (i / 250) + "." + (i % 250 + 1);
    }

    private static LabNode labNode(int i) {
        LabNode node = new LabNode();
        node.name = nodeName(i);
        node.address = address(i);
        node.role = NodeRole.NODE;
        node.type = "worker";
        return node;
    }

    /** Creates many objects with a few client threads: set-up, not what is measured (a dropped connection is retried). */
    private static void parallel(int count, IntConsumer create) {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> withRetry(() -> create.accept(index))));
            }
            for (var future : futures) {
                future.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            pool.shutdown();
        }
    }

    private static void withRetry(Runnable create) {
        for (int attempt = 1;; attempt++) {
            try {
                create.run();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (attempt == 3 || e.getCode() != 0) {
                    throw e;
                }
            }
        }
    }

    private static void sleepSeconds(int seconds) {
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
