package io.k8slab.lab.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.cluster.LabCluster;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.metallb.AssignedAddresses;
import io.k8slab.lab.metallb.MetalLbConfigMap;
import io.k8slab.lab.metallb.MetalLbConfigModel;
import io.k8slab.lab.metallb.ReferenceLab;
import io.k8slab.lab.router.RouterClients;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.MetalLbCrds;
import io.k8slab.lab.testing.TestCluster;

/**
 * The BgpPeerPool reconciler against a real API server: MetalLB's configuration is rendered, guarded, repaired
 * and cleaned up. Each test targets a MetalLB namespace of its own, so pools of different tests never merge.
 */
class MetalLbConfigurationApiTest {

    /** The ConfigMap of lab-reference.md's step 4. */
    private static final String REFERENCE_CONFIG = ReferenceLab.CONFIG;
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final Duration ROUTER_REFRESH = Duration.ofSeconds(2);

    private static final KubernetesClient client = TestCluster.get().client();
    private static LocalOperator operator;

    @BeforeAll
    static void start() throws Exception {
        MetalLbCrds.install();
        // The lab's networks exist before the operator starts, as in a lab, so its first look at a pool sees them.
        client.resource(Manifests.toResource(Manifests.variant(Manifests.LAB_CLUSTER, "bpp-networks", m -> {
        }), LabCluster.class)).serverSideApply();
        // A short router refresh, so a test can watch several timed reconciles (only pools that name a router get them).
        operator = new LocalOperator(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(), ROUTER_REFRESH)));
    }

    @AfterAll
    static void stop() {
        operator.close();
        client.resources(BgpPeerPool.class).delete();
        client.resources(LabCluster.class).withName("bpp-networks").delete();
    }

    @Test
    void referencePoolYieldsTheReferenceConfigMap() {
        String namespace = namespace();
        apply(pool("reference", namespace, m -> {
        }));

        BgpPeerPool pool = awaitCondition("reference", BgpPeerPoolReconciler.CONFIG_APPLIED, "True");
        ConfigMap config = configMap(namespace);
        assertThat(MetalLbConfigModel.parse(config.getData().get("config"))).isEqualTo(MetalLbConfigModel.parse(REFERENCE_CONFIG));
        assertThat(pool.getStatus().configHash).hasSize(64);
        assertThat(Conditions.isTrue(pool.getStatus().conditions, BgpPeerPoolReconciler.VALID)).isTrue();
        assertThat(events("reference")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("ConfigApplied"));
    }

    /** The reference lab's worker label has an empty value: a peer selecting on it reaches MetalLB as written. */
    @Test
    void emptyNodeSelectorValueReachesTheConfig() throws Exception {
        String namespace = namespace();
        apply(pool("workers", namespace, m -> peer(m).putObject("nodeSelector").put("node-role.kubernetes.io/node", "")));

        BgpPeerPool pool = awaitCondition("workers", BgpPeerPoolReconciler.CONFIG_APPLIED, "True");
        assertThat(pool.getSpec().peers.get(0).nodeSelector).containsExactlyEntriesOf(Map.of("node-role.kubernetes.io/node", ""));
        String config = configMap(namespace).getData().get("config");
        assertThat(new YAMLMapper().readTree(config).at("/peers/0/node-selectors/0/match-labels")).as(config)
                .isEqualTo(JsonNodeFactory.instance.objectNode().put("node-role.kubernetes.io/node", ""));
        assertThat(MetalLbConfigModel.parse(config).peers().get(0).nodeSelectors())
                .containsExactly(new MetalLbConfigModel.NodeSelector(new TreeSet<>(List.of("node-role.kubernetes.io/node="))));
    }

    /** Specs the schema accepts but MetalLB v0.7.3 or the lab would not: reported, and nothing is written. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPools")
    void invalidPoolIsReportedAndChangesNothing(String rule, Consumer<ObjectNode> edit, String field, String value) {
        String namespace = namespace();
        String name = "invalid-" + NAMESPACES.get();
        apply(pool(name, namespace, m -> {
        }));
        awaitCondition(name, BgpPeerPoolReconciler.CONFIG_APPLIED, "True");
        ConfigMap before = configMap(namespace);

        apply(pool(name, namespace, edit));

        BgpPeerPool pool = awaitCondition(name, BgpPeerPoolReconciler.VALID, "False");
        var valid = Conditions.find(pool.getStatus().conditions, BgpPeerPoolReconciler.VALID).orElseThrow();
        assertThat(valid.getMessage()).as(rule).contains(field).contains(value);
        assertThat(Conditions.find(pool.getStatus().conditions, BgpPeerPoolReconciler.CONFIG_APPLIED).orElseThrow().getReason())
                .isEqualTo("LastValidConfigInForce");
        assertThat(configMap(namespace).getData()).as("the ConfigMap keeps the last valid configuration").isEqualTo(before.getData());
        assertThat(configMap(namespace).getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
        assertThat(events(name)).anySatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).contains(field);
        });
    }

    static Stream<Arguments> invalidPools() {
        return Stream.of(
                invalid("hold time under 3s", m -> peer(m).put("holdTime", "2s"), "spec.peers[rt-01].holdTime", "2s"),
                invalid("duplicate peer", m -> peers(m).addObject().put("name", "rt-01-again").put("address", "172.17.0.1").put("asn", 64512),
                        "spec.peers[rt-01-again]", "172.17.0.1"),
                invalid("range start after end", m -> addresses(m).set(0, "172.17.254.20-172.17.254.10"),
                        "spec.addressPools[my-ip-space].addresses[0]", "172.17.254.20-172.17.254.10"),
                invalid("overlap within the pool", m -> addresses(m).add("172.17.254.128/25"),
                        "spec.addressPools[my-ip-space].addresses[1]", "172.17.254.128/25"),
                invalid("aggregation length shorter than the CIDR", m -> advertisement(m).put("aggregationLength", 16),
                        "spec.addressPools[my-ip-space].advertisements[0].aggregationLength", "16"),
                invalid("range split into /32s allows only 32", m -> {
                    addresses(m).set(0, "172.17.254.1-172.17.254.2");
                    advertisement(m).put("aggregationLength", 31);
                }, "spec.addressPools[my-ip-space].advertisements[0].aggregationLength", "31"),
                invalid("community name not defined", m -> advertisement(m).putArray("communities").add("no-export"),
                        "spec.addressPools[my-ip-space].advertisements[0].communities[0]", "no-export"),
                invalid("community value above 16 bits", m -> advertisement(m).putArray("communities").add("70000:1"),
                        "spec.addressPools[my-ip-space].advertisements[0].communities[0]", "70000:1"),
                invalid("advertisements on a layer2 pool", m -> {
                    pool(m).put("protocol", "layer2");
                    advertisement(m).put("aggregationLength", 32);
                }, "spec.addressPools[my-ip-space].advertisements", "layer2"),
                invalid("MetalLB older than v0.7.3", m -> ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.6.2"),
                        "spec.metallb.version", "v0.6.2"));
    }

    /**
     * MetalLB refuses a whole configuration that takes an assigned address away from its Service: the operator
     * refuses the spec first and keeps the last one; once the Service is gone, the same spec goes through.
     */
    @Test
    void shrinkingAPoolUnderAnAssignedAddressWaitsUntilTheServiceIsGone() {
        String namespace = namespace();
        apply(pool("assigned", namespace, m -> pool(m).put("name", "assigned-space")));
        awaitCondition("assigned", BgpPeerPoolReconciler.CONFIG_APPLIED, "True");
        ConfigMap before = configMap(namespace);
        var service = client.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).withProtocol("TCP").endPort().endSpec().build()).create();
        service.setStatus(new ServiceStatusBuilder().withNewLoadBalancer().addNewIngress().withIp("172.17.254.10").endIngress().endLoadBalancer().build());
        client.resource(service).updateStatus();

        apply(pool("assigned", namespace, m -> {
            pool(m).put("name", "assigned-space");
            addresses(m).set(0, "172.17.254.128/25");
        }));

        var valid = Conditions.find(awaitCondition("assigned", BgpPeerPoolReconciler.VALID, "False").getStatus().conditions,
                BgpPeerPoolReconciler.VALID).orElseThrow();
        assertThat(valid.getReason()).isEqualTo(AssignedAddresses.REASON);
        assertThat(valid.getMessage()).contains("spec.addressPools[assigned-space].addresses", namespace + "/web (172.17.254.10)");
        assertThat(configMap(namespace).getMetadata().getResourceVersion()).as("the last valid configuration stays")
                .isEqualTo(before.getMetadata().getResourceVersion());
        assertThat(events("assigned")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo(AssignedAddresses.REASON));

        client.resource(service).delete();
        awaitCondition("assigned", BgpPeerPoolReconciler.VALID, "True");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(configMap(namespace).getData().get("config"))
                .contains("172.17.254.128/25").doesNotContain("172.17.254.0/24"));
    }

    @Test
    void poolNamesAndAddressesAreUniqueAcrossPools() {
        String namespace = namespace();
        apply(pool("first", namespace, m -> {
        }));
        awaitCondition("first", BgpPeerPoolReconciler.CONFIG_APPLIED, "True");

        apply(pool("second", namespace, m -> addresses(m).set(0, "172.17.253.0/24")));
        var sameName = Conditions.find(awaitCondition("second", BgpPeerPoolReconciler.VALID, "False").getStatus().conditions,
                BgpPeerPoolReconciler.VALID).orElseThrow();
        assertThat(sameName.getMessage()).contains("spec.addressPools[my-ip-space]", "first");

        apply(pool("third", namespace, m -> {
            pool(m).put("name", "other-space");
            addresses(m).set(0, "172.17.254.128/25");
        }));
        var overlap = Conditions.find(awaitCondition("third", BgpPeerPoolReconciler.VALID, "False").getStatus().conditions,
                BgpPeerPoolReconciler.VALID).orElseThrow();
        assertThat(overlap.getReason()).isEqualTo("PoolOverlap");
        assertThat(overlap.getMessage()).contains("172.17.254.128/25", "first");

        // One bad pool does not take the others' away: the first pool is still all that is in force.
        assertThat(MetalLbConfigModel.parse(configMap(namespace).getData().get("config")))
                .isEqualTo(MetalLbConfigModel.parse(REFERENCE_CONFIG));
    }

    @Test
    void poolsMustNotOverlapTheLabNetworks() {
        String nodeNetwork = Manifests.read(Manifests.LAB_CLUSTER).at("/spec/networks/nodeCIDR").asText();
        String insideNodeNetwork = nodeNetwork.replace(".0/24", ".128/25");
        String namespace = namespace();
        apply(pool("on-pods", namespace, m -> addresses(m).set(0, "10.244.1.0/24")));
        apply(pool("on-services", namespace, m -> {
            pool(m).put("name", "services-space");
            addresses(m).set(0, "10.96.0.10-10.96.0.20");
        }));
        apply(pool("on-nodes", namespace, m -> {
            pool(m).put("name", "nodes-space");
            addresses(m).set(0, insideNodeNetwork);
        }));

        assertThat(validMessage("on-pods")).contains("10.244.1.0/24", "podCIDR");
        assertThat(validMessage("on-services")).contains("10.96.0.10-10.96.0.20", "serviceCIDR");
        assertThat(validMessage("on-nodes")).contains(insideNodeNetwork, "nodeCIDR");
        assertThat(client.configMaps().inNamespace(namespace).withName("config").get()).as("nothing valid, nothing written").isNull();
    }

    @Test
    void severalPoolsMergeAndDeletionRemovesOnlyTheDeletedPool() {
        String namespace = namespace();
        apply(pool("merge-a", namespace, m -> {
        }));
        apply(pool("merge-b", namespace, m -> {
            pool(m).put("name", "b-space");
            addresses(m).set(0, "172.17.253.0/24");
        }));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(configMap(namespace).getData().get("config"))
                .contains("my-ip-space", "b-space"));
        String merged = configMap(namespace).getData().get("config");
        assertThat(merged.indexOf("my-ip-space")).as("pools in BgpPeerPool name order").isLessThan(merged.indexOf("b-space"));
        assertThat(merged.split("peer-address", -1)).as("the shared peer once").hasSize(2);

        client.resources(BgpPeerPool.class).withName("merge-b").delete();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(configMap(namespace).getData().get("config"))
                .doesNotContain("b-space").contains("my-ip-space"));
        await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(BgpPeerPool.class).withName("merge-b").get() == null);
    }

    @Test
    void handEditIsPutBackWithAnEvent() {
        String namespace = namespace();
        apply(pool("drift", namespace, m -> {
        }));
        awaitCondition("drift", BgpPeerPoolReconciler.CONFIG_APPLIED, "True");
        String rendered = configMap(namespace).getData().get("config");

        ConfigMap edited = configMap(namespace);
        edited.getData().put("config", rendered.replace("172.17.254.0/24", "172.17.99.0/24"));
        client.resource(edited).update();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(configMap(namespace).getData().get("config")).isEqualTo(rendered));
        assertThat(events("drift")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("DriftRepaired"));
    }

    @Test
    void metalLbIsInstalledRestoredAndReportedAvailable() {
        String namespace = "metallb-install-" + NAMESPACES.incrementAndGet();
        apply(pool("install", namespace, m -> ((ObjectNode) m.at("/spec/metallb")).put("install", true)));

        await().atMost(Duration.ofSeconds(30)).until(() -> speaker(namespace) != null && controller(namespace) != null);
        Deployment controller = controller(namespace);
        assertThat(controller.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("metallb/controller:v0.7.3");
        assertThat(client.serviceAccounts().inNamespace(namespace).withName("speaker").get()).isNotNull();
        assertThat(client.rbac().roleBindings().inNamespace(namespace).withName("config-watcher").get().getSubjects())
                .allSatisfy(s -> assertThat(s.getNamespace()).isEqualTo(namespace));

        client.apps().daemonSets().inNamespace(namespace).withName("speaker").delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> speaker(namespace) != null && speaker(namespace).getMetadata().getDeletionTimestamp() == null);

        controller = controller(namespace);
        controller.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("metallb/controller:v0.8.0");
        client.resource(controller).update();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                controller(namespace).getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("metallb/controller:v0.7.3"));

        // No kubelet or controller-manager here: play their part by reporting the components up.
        Deployment reported = controller(namespace);
        reported.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1).build());
        client.resource(reported).updateStatus();
        DaemonSet speakers = speaker(namespace);
        speakers.setStatus(new io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder().withDesiredNumberScheduled(3)
                .withNumberReady(3).withCurrentNumberScheduled(3).withNumberMisscheduled(0).build());
        client.resource(speakers).updateStatus();

        BgpPeerPool pool = awaitCondition("install", BgpPeerPoolReconciler.METALLB_AVAILABLE, "True");
        assertThat(pool.getStatus().speakers).isEqualTo("3/3");
        assertThat(Conditions.isTrue(pool.getStatus().conditions, BgpPeerPoolReconciler.READY)).isTrue();
        // The cluster's one installed MetalLB: the next test that installs one may do so elsewhere.
        deleteAndAwait("install");
    }

    @Test
    void aSecondInstalledMetalLbIsRefusedAndInstallsNothing() {
        String first = "metallb-first-" + NAMESPACES.incrementAndGet();
        String second = "metallb-second-" + NAMESPACES.incrementAndGet();
        apply(pool("install-first", first, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("install", true);
            pool(m).put("name", "first-space");
            addresses(m).set(0, "172.17.251.0/24");
        }));
        awaitCondition("install-first", BgpPeerPoolReconciler.VALID, "True");
        apply(pool("install-second", second, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("install", true);
            pool(m).put("name", "second-space");
            addresses(m).set(0, "172.17.250.0/24");
        }));

        var valid = Conditions.find(awaitCondition("install-second", BgpPeerPoolReconciler.VALID, "False").getStatus().conditions,
                BgpPeerPoolReconciler.VALID).orElseThrow();
        assertThat(valid.getReason()).isEqualTo("MetalLBInstalledElsewhere");
        assertThat(valid.getMessage()).contains("spec.metallb.namespace", "install-first", first);
        assertThat(client.namespaces().withName(second).get()).as("nothing installed in " + second).isNull();
        assertThat(controller(first)).isNotNull();
        deleteAndAwait("install-second");
        deleteAndAwait("install-first");
    }

    /** Deletes the pool and waits until the operator's finalizer let it go. */
    private static void deleteAndAwait(String name) {
        client.resources(BgpPeerPool.class).withName(name).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(BgpPeerPool.class).withName(name).get() == null);
    }

    /**
     * The reference lab's settings (install, a router API to ask) reconcile on the router refresh interval; those
     * timed reconciles read none of MetalLB's components back: the watched workloads come from the informer cache.
     */
    @Test
    void timedRouterRefreshesReadNoMetalLbComponent() {
        String namespace = "metallb-refresh-" + NAMESPACES.incrementAndGet();
        apply(pool("refresh", namespace, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("install", true);
            pool(m).put("name", "refresh-space");
            addresses(m).set(0, "172.17.252.0/24");
            peer(m).putObject("router").put("address", "127.0.0.1:1");
        }));
        await().atMost(Duration.ofSeconds(30)).until(() -> speaker(namespace) != null && controller(namespace) != null);
        awaitCondition("refresh", BgpPeerPoolReconciler.PEERS_ESTABLISHED, "Unknown");
        await().pollDelay(ROUTER_REFRESH).atMost(Duration.ofSeconds(10)).until(() -> true);

        int componentReadsBefore = metalLbComponentReads(namespace);
        int reconcilesBefore = configMapReads(namespace);
        await().pollDelay(ROUTER_REFRESH.multipliedBy(4)).atMost(Duration.ofSeconds(30)).until(() -> true);
        assertThat(configMapReads(namespace) - reconcilesBefore).as("timed reconciles").isGreaterThanOrEqualTo(3);
        assertThat(metalLbComponentReads(namespace) - componentReadsBefore).as("GETs of MetalLB's components").isZero();
        deleteAndAwait("refresh");
    }

    /** The operator's GETs of the objects MetalLB's release installs into {@code namespace}, by the audit log. */
    private static int metalLbComponentReads(String namespace) {
        return (int) operatorGets(namespace).filter(e -> !"configmaps".equals(e.path("objectRef").path("resource").asText())).count();
    }

    /** Each reconcile reads the ConfigMap it may write: how many reconciles ran. */
    private static int configMapReads(String namespace) {
        return (int) operatorGets(namespace).filter(e -> "configmaps".equals(e.path("objectRef").path("resource").asText())).count();
    }

    private static Stream<com.fasterxml.jackson.databind.JsonNode> operatorGets(String namespace) {
        return TestCluster.get().auditLog().requestsBy(TestCluster.OPERATOR_USER_AGENT).stream()
                .filter(e -> "get".equals(e.path("verb").asText()))
                .filter(e -> namespace.equals(e.path("objectRef").path("namespace").asText())
                        || namespace.equals(e.path("objectRef").path("name").asText())
                        // the release's cluster roles and bindings keep their names whatever the namespace
                        || e.path("objectRef").path("name").asText().startsWith("metallb-system:"));
    }

    @Test
    void resyncWithNothingChangedWritesNothing() {
        String namespace = namespace();
        apply(pool("steady", namespace, m -> ((ObjectNode) m.at("/spec/metallb")).put("install", false)));
        awaitCondition("steady", BgpPeerPoolReconciler.CONFIG_APPLIED, "True");
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);
        int writesBefore = TestCluster.get().auditLog().writesBy(TestCluster.OPERATOR_USER_AGENT).size();

        // A restart lists and reconciles every pool again: the fullest resync there is.
        operator.close();
        // A short router refresh, so a test can watch several timed reconciles (only pools that name a router get them).
        operator = new LocalOperator(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(), ROUTER_REFRESH)));
        await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> true);

        var writes = TestCluster.get().auditLog().writesBy(TestCluster.OPERATOR_USER_AGENT);
        assertThat(writes.subList(writesBefore, writes.size()))
                .as("write requests by the operator during a resync with nothing changed")
                .isEmpty();
        assertThat(writesBefore).as("the audit log does record the operator's writes").isPositive();
    }

    @Test
    void crdModeRendersTheSameIntent() {
        String namespace = namespace();
        apply(pool("crd-mode", namespace, m -> ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.14.8")));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(metallb(namespace, "metallb.io/v1beta1", "IPAddressPool")).singleElement()
                    .satisfies(p -> assertThat(spec(p)).containsEntry("addresses", List.of("172.17.254.0/24"))
                            .containsEntry("avoidBuggyIPs", true));
            assertThat(metallb(namespace, "metallb.io/v1beta2", "BGPPeer")).singleElement()
                    .satisfies(p -> assertThat(spec(p)).containsEntry("myASN", 64522).containsEntry("peerASN", 64512)
                            .containsEntry("peerAddress", "172.17.0.1"));
            assertThat(metallb(namespace, "metallb.io/v1beta1", "BGPAdvertisement")).singleElement()
                    .satisfies(p -> assertThat(spec(p)).containsEntry("ipAddressPools", List.of("my-ip-space"))
                            .containsEntry("aggregationLength", 32));
        });
        assertThat(client.configMaps().inNamespace(namespace).withName("config").get()).isNull();

        client.resources(BgpPeerPool.class).withName("crd-mode").delete();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metallb(namespace, "metallb.io/v1beta1", "IPAddressPool")).isEmpty());
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private static Arguments invalid(String rule, Consumer<ObjectNode> edit, String field, String value) {
        return Arguments.of(rule, edit, field, value);
    }

    /** A namespace of the test's own for MetalLB's objects. */
    private static String namespace() {
        String name = "mlb-" + NAMESPACES.incrementAndGet();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).serverSideApply();
        return name;
    }

    /**
     * The reference pool, renamed, targeting {@code namespace} without installing MetalLB and without a router to
     * ask (routers are the netns tests' business), then edited.
     */
    private static BgpPeerPool pool(String name, String namespace, Consumer<ObjectNode> edit) {
        return Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, name, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("namespace", namespace).put("install", false);
            peer(m).remove("router");
            edit.accept(m);
        }), BgpPeerPool.class);
    }

    /** Creates the pool, or replaces its spec as {@code kubectl replace} would. */
    private static void apply(BgpPeerPool pool) {
        BgpPeerPool live = client.resources(BgpPeerPool.class).withName(pool.getMetadata().getName()).get();
        if (live == null) {
            client.resource(pool).create();
        } else {
            live.setSpec(pool.getSpec());
            client.resource(live).update();
        }
    }

    private static ObjectNode peer(ObjectNode m) {
        return (ObjectNode) m.at("/spec/peers/0");
    }

    private static ArrayNode peers(ObjectNode m) {
        return (ArrayNode) m.at("/spec/peers");
    }

    private static ObjectNode pool(ObjectNode m) {
        return (ObjectNode) m.at("/spec/addressPools/0");
    }

    private static ArrayNode addresses(ObjectNode m) {
        return (ArrayNode) m.at("/spec/addressPools/0/addresses");
    }

    private static ObjectNode advertisement(ObjectNode m) {
        ObjectNode pool = pool(m);
        ArrayNode advertisements = pool.has("advertisements") ? (ArrayNode) pool.get("advertisements") : pool.putArray("advertisements");
        return advertisements.isEmpty() ? advertisements.addObject() : (ObjectNode) advertisements.get(0);
    }

    private static BgpPeerPool awaitCondition(String name, String type, String status) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(BgpPeerPool.class).withName(name).get(),
                p -> p != null && p.getStatus() != null
                        && p.getMetadata().getGeneration().equals(p.getStatus().observedGeneration)
                        && Conditions.find(p.getStatus().conditions, type).map(c -> status.equals(c.getStatus())).orElse(false));
    }

    private static String validMessage(String name) {
        return Conditions.find(awaitCondition(name, BgpPeerPoolReconciler.VALID, "False").getStatus().conditions,
                BgpPeerPoolReconciler.VALID).orElseThrow().getMessage();
    }

    private static ConfigMap configMap(String namespace) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> client.configMaps().inNamespace(namespace).withName("config").get(),
                c -> c != null && c.getData() != null && c.getData().containsKey(MetalLbConfigMap.CONFIG_KEY));
    }

    private static Deployment controller(String namespace) {
        return client.apps().deployments().inNamespace(namespace).withName("controller").get();
    }

    private static DaemonSet speaker(String namespace) {
        return client.apps().daemonSets().inNamespace(namespace).withName("speaker").get();
    }

    private static List<Event> events(String poolName) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "BgpPeerPool".equals(e.getInvolvedObject().getKind()) && poolName.equals(e.getInvolvedObject().getName()))
                .toList();
    }

    private static List<GenericKubernetesResource> metallb(String namespace, String apiVersion, String kind) {
        return client.genericKubernetesResources(apiVersion, kind).inNamespace(namespace).list().getItems();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }
}
