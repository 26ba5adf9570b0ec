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
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.metallb.AssignedAddresses;
import io.k8slab.lab.metallb.ConfigMapContents;
import io.k8slab.lab.metallb.KubernetesCompatibility;
import io.k8slab.lab.metallb.ParsedConfigFile;
import io.k8slab.lab.metallb.Ownership;
import io.k8slab.lab.metallb.ReferenceLab;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.MetalLbCrds;
import io.k8slab.lab.testing.TestCluster;

/**
 * The BgpPeerPool reconciler against a real API server: MetalLB's configuration is rendered, guarded, repaired
 * and cleaned up. Each test targets a ConfigMap of its own in MetalLB's target (the one the operator may touch),
 * so pools of different tests never merge; its Services go to a target of the same name.
 */
class MetalLbConfigurationApiTest {

    /** The ConfigMap of lab-reference.md's step 4. */
    private static final String REFERENCE_CONFIG = ReferenceLab.CONFIG;
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final String METALLB = TestCluster.METALLB_NAMESPACE;
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
        String target = target();
        apply(pool("reference", target, m -> {
        }));

        BgpPeerPool pool = awaitCondition("reference", BgpPeerPoolConditions.CONFIG_APPLIED, "True");
        ConfigMap config = configMap(target);
        assertThat(ParsedConfigFile.parse(config.getData().get("config"))).isEqualTo(ParsedConfigFile.parse(REFERENCE_CONFIG));
        assertThat(pool.getStatus().configHash).hasSize(64);
        assertThat(Conditions.isTrue(pool.getStatus().conditions, BgpPeerPoolConditions.VALID)).isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(events("reference")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("ConfigApplied")));
    }

    /** The reference lab's worker label has an empty value: a peer selecting on it reaches MetalLB as written. */
    @Test
    void emptyNodeSelectorValueReachesTheConfig() throws Exception {
        String target = target();
        apply(pool("workers", target, m -> peer(m).putObject("nodeSelector").put("node-role.kubernetes.io/node", "")));

        BgpPeerPool pool = awaitCondition("workers", BgpPeerPoolConditions.CONFIG_APPLIED, "True");
        assertThat(pool.getSpec().peers.get(0).nodeSelector).containsExactlyEntriesOf(Map.of("node-role.kubernetes.io/node", ""));
        String config = configMap(target).getData().get("config");
        assertThat(new YAMLMapper().readTree(config).at("/peers/0/node-selectors/0/match-labels")).as(config)
                .isEqualTo(JsonNodeFactory.instance.objectNode().put("node-role.kubernetes.io/node", ""));
        assertThat(ParsedConfigFile.parse(config).peers().get(0).nodeSelectors())
                .containsExactly(new ParsedConfigFile.NodeSelector(new TreeSet<>(List.of("node-role.kubernetes.io/node="))));
    }

    /** Specs the schema accepts but MetalLB v0.7.3 or the lab would not: reported, and nothing is written. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPools")
    void invalidPoolIsReportedAndChangesNothing(String rule, Consumer<ObjectNode> edit, String field, String value) {
        String target = target();
        String name = "invalid-" + NAMESPACES.get();
        apply(pool(name, target, m -> {
        }));
        awaitCondition(name, BgpPeerPoolConditions.CONFIG_APPLIED, "True");
        ConfigMap before = configMap(target);

        apply(pool(name, target, edit));

        BgpPeerPool pool = awaitCondition(name, BgpPeerPoolConditions.VALID, "False");
        var valid = Conditions.find(pool.getStatus().conditions, BgpPeerPoolConditions.VALID).orElseThrow();
        assertThat(valid.getMessage()).as(rule).contains(field).contains(value);
        assertThat(Conditions.find(pool.getStatus().conditions, BgpPeerPoolConditions.CONFIG_APPLIED).orElseThrow().getReason())
                .isEqualTo("LastValidConfigInForce");
        assertThat(configMap(target).getData()).as("the ConfigMap keeps the last valid configuration").isEqualTo(before.getData());
        assertThat(configMap(target).getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events(name)).anySatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).contains(field);
        }));
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
        String target = target();
        apply(pool("assigned", target, m -> pool(m).put("name", "assigned-space")));
        awaitCondition("assigned", BgpPeerPoolConditions.CONFIG_APPLIED, "True");
        ConfigMap before = configMap(target);
        var service = client.services().inNamespace(target).resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).withProtocol("TCP").endPort().endSpec().build()).create();
        service.setStatus(new ServiceStatusBuilder().withNewLoadBalancer().addNewIngress().withIp("172.17.254.10").endIngress().endLoadBalancer().build());
        client.resource(service).updateStatus();

        try {
            apply(pool("assigned", target, m -> {
                pool(m).put("name", "assigned-space");
                addresses(m).set(0, "172.17.254.128/25");
            }));

            var valid = Conditions.find(awaitCondition("assigned", BgpPeerPoolConditions.VALID, "False").getStatus().conditions,
                    BgpPeerPoolConditions.VALID).orElseThrow();
            assertThat(valid.getReason()).isEqualTo(AssignedAddresses.REASON);
            assertThat(valid.getMessage()).contains("spec.addressPools[assigned-space].addresses", target + "/web (172.17.254.10)");
            assertThat(configMap(target).getMetadata().getResourceVersion()).as("the last valid configuration stays")
                    .isEqualTo(before.getMetadata().getResourceVersion());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(events("assigned")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo(AssignedAddresses.REASON)));
        } finally {
            // The lab's pool range: a Service left holding it would hold back every later test's pool there.
            client.resource(service).delete();
        }
        awaitCondition("assigned", BgpPeerPoolConditions.VALID, "True");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(configMap(target).getData().get("config"))
                .contains("172.17.254.128/25").doesNotContain("172.17.254.0/24"));
    }

    @Test
    void poolNamesAndAddressesAreUniqueAcrossPools() {
        String target = target();
        apply(pool("first", target, m -> {
        }));
        awaitCondition("first", BgpPeerPoolConditions.CONFIG_APPLIED, "True");

        apply(pool("second", target, m -> addresses(m).set(0, "172.17.253.0/24")));
        var sameName = Conditions.find(awaitCondition("second", BgpPeerPoolConditions.VALID, "False").getStatus().conditions,
                BgpPeerPoolConditions.VALID).orElseThrow();
        assertThat(sameName.getMessage()).contains("spec.addressPools[my-ip-space]", "first");

        apply(pool("third", target, m -> {
            pool(m).put("name", "other-space");
            addresses(m).set(0, "172.17.254.128/25");
        }));
        var overlap = Conditions.find(awaitCondition("third", BgpPeerPoolConditions.VALID, "False").getStatus().conditions,
                BgpPeerPoolConditions.VALID).orElseThrow();
        assertThat(overlap.getReason()).isEqualTo("PoolOverlap");
        assertThat(overlap.getMessage()).contains("172.17.254.128/25", "first");

        // One bad pool does not take the others' away: the first pool is still all that is in force.
        assertThat(ParsedConfigFile.parse(configMap(target).getData().get("config")))
                .isEqualTo(ParsedConfigFile.parse(REFERENCE_CONFIG));
    }

    @Test
    void poolsMustNotOverlapTheLabNetworks() {
        String nodeNetwork = Manifests.read(Manifests.LAB_CLUSTER).at("/spec/networks/nodeCIDR").asText();
        String insideNodeNetwork = nodeNetwork.replace(".0/24", ".128/25");
        String target = target();
        apply(pool("on-pods", target, m -> addresses(m).set(0, "10.244.1.0/24")));
        apply(pool("on-services", target, m -> {
            pool(m).put("name", "services-space");
            addresses(m).set(0, "10.96.0.10-10.96.0.20");
        }));
        apply(pool("on-nodes", target, m -> {
            pool(m).put("name", "nodes-space");
            addresses(m).set(0, insideNodeNetwork);
        }));

        assertThat(validMessage("on-pods")).contains("10.244.1.0/24", "podCIDR");
        assertThat(validMessage("on-services")).contains("10.96.0.10-10.96.0.20", "serviceCIDR");
        assertThat(validMessage("on-nodes")).contains(insideNodeNetwork, "nodeCIDR");
        assertThat(client.configMaps().inNamespace(METALLB).withName(target).get()).as("nothing valid, nothing written").isNull();
    }

    @Test
    void severalPoolsMergeAndDeletionRemovesOnlyTheDeletedPool() {
        String target = target();
        apply(pool("merge-a", target, m -> {
        }));
        apply(pool("merge-b", target, m -> {
            pool(m).put("name", "b-space");
            addresses(m).set(0, "172.17.253.0/24");
        }));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(configMap(target).getData().get("config"))
                .contains("my-ip-space", "b-space"));
        String merged = configMap(target).getData().get("config");
        assertThat(merged.indexOf("my-ip-space")).as("pools in BgpPeerPool name order").isLessThan(merged.indexOf("b-space"));
        assertThat(merged.split("peer-address", -1)).as("the shared peer once").hasSize(2);

        client.resources(BgpPeerPool.class).withName("merge-b").delete();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(configMap(target).getData().get("config"))
                .doesNotContain("b-space").contains("my-ip-space"));
        await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(BgpPeerPool.class).withName("merge-b").get() == null);
    }

    @Test
    void handEditIsPutBackWithAnEvent() {
        String target = target();
        apply(pool("drift", target, m -> {
        }));
        awaitCondition("drift", BgpPeerPoolConditions.CONFIG_APPLIED, "True");
        String rendered = configMap(target).getData().get("config");

        ConfigMap edited = configMap(target);
        edited.getData().put("config", rendered.replace("172.17.254.0/24", "172.17.99.0/24"));
        client.resource(edited).update();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(configMap(target).getData().get("config")).isEqualTo(rendered));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(events("drift")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("DriftRepaired")));
    }

    /** The operator touches MetalLB's objects in its one MetalLB target: a pool naming another is refused. */
    @Test
    void aPoolNamingAnotherMetalLbNamespaceIsRefusedAndWritesNothing() {
        String elsewhere = target();
        apply(pool("elsewhere", elsewhere, m -> ((ObjectNode) m.at("/spec/metallb")).put("namespace", elsewhere).put("install", true)));

        var valid = Conditions.find(awaitCondition("elsewhere", BgpPeerPoolConditions.VALID, "False").getStatus().conditions,
                BgpPeerPoolConditions.VALID).orElseThrow();
        assertThat(valid.getReason()).isEqualTo(BgpPeerPoolConditions.NAMESPACE_NOT_ALLOWED);
        assertThat(valid.getMessage()).contains("spec.metallb.namespace", elsewhere, METALLB, BgpPeerPoolReconciler.NAMESPACE_SETTING);
        assertThat(client.apps().deployments().inNamespace(elsewhere).list().getItems()).as("nothing installed in " + elsewhere).isEmpty();
        assertThat(client.configMaps().inNamespace(elsewhere).list().getItems()).as("nothing configured in " + elsewhere)
                .noneMatch(c -> c.getData() != null && c.getData().containsKey(ConfigMapContents.CONFIG_KEY));
        deleteAndAwait("elsewhere");
    }

    /**
     * MetalLB v0.7.3 does not run on Kubernetes 1.18 or newer, and this API server is 1.20: installing it is refused
     * and nothing is installed. Configuring a v0.7.3 someone else installed still works here (every other test).
     */
    @Test
    void installingMetalLbV073OnKubernetes120IsRefused() {
        String target = target();
        apply(pool("old-metallb", target, m -> ((ObjectNode) m.at("/spec/metallb")).put("install", true)));

        var valid = Conditions.find(awaitCondition("old-metallb", BgpPeerPoolConditions.VALID, "False").getStatus().conditions,
                BgpPeerPoolConditions.VALID).orElseThrow();
        assertThat(valid.getReason()).isEqualTo(KubernetesCompatibility.INCOMPATIBLE);
        assertThat(valid.getMessage()).contains("spec.metallb.version", "v0.7.3", "Kubernetes 1.20", "v0.16.1");
        assertThat(client.apps().deployments().inNamespace(METALLB).withName("controller").get()).as("nothing installed").isNull();
        assertThat(client.serviceAccounts().inNamespace(METALLB).withName("speaker").get()).as("nothing installed").isNull();
        assertThat(client.configMaps().inNamespace(METALLB).withName(target).get()).as("nothing configured").isNull();
        deleteAndAwait("old-metallb");
    }

    /** Deletes the pool and waits until the operator's finalizer let it go. */
    private static void deleteAndAwait(String name) {
        client.resources(BgpPeerPool.class).withName(name).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(BgpPeerPool.class).withName(name).get() == null);
    }

    /** spec.metallb naming CoreDNS's ConfigMap: not the operator's target, so nothing in it changes. */
    @Test
    void someoneElsesConfigMapIsNotTouched() {
        client.configMaps().inNamespace("kube-system").resource(new ConfigMapBuilder().withNewMetadata().withName("coredns").endMetadata()
                .addToData("Corefile", ".:53 {\n    forward . /etc/resolv.conf\n}\n").build()).serverSideApply();
        ConfigMap before = client.configMaps().inNamespace("kube-system").withName("coredns").get();

        apply(pool("coredns", "coredns", m -> ((ObjectNode) m.at("/spec/metallb")).put("namespace", "kube-system")));

        // Refused on the target (and the operator's RBAC would forbid the write anyway).
        var valid = Conditions.find(awaitCondition("coredns", BgpPeerPoolConditions.VALID, "False").getStatus().conditions,
                BgpPeerPoolConditions.VALID).orElseThrow();
        assertThat(valid.getReason()).isEqualTo(BgpPeerPoolConditions.NAMESPACE_NOT_ALLOWED);
        assertThat(valid.getMessage()).contains("kube-system");
        deleteAndAwait("coredns");
        ConfigMap after = client.configMaps().inNamespace("kube-system").withName("coredns").get();
        assertThat(after.getData()).isEqualTo(before.getData());
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(before.getMetadata().getResourceVersion());
    }

    /**
     * A ConfigMap of the name the pool asks for, in MetalLB's target, that the operator did not write: NotOwned and
     * untouched, until a person hands it over with the adopt annotation; from then on it is the operator's.
     */
    @Test
    void anAdoptedConfigMapIsTakenOver() {
        String target = target();
        client.configMaps().inNamespace(METALLB).resource(new ConfigMapBuilder().withNewMetadata().withName(target).endMetadata()
                .addToData("config", "peers: []\n").build()).create();
        apply(pool("adopted", target, m -> {
        }));
        assertThat(Conditions.find(awaitCondition("adopted", BgpPeerPoolConditions.CONFIG_APPLIED, "False").getStatus().conditions,
                BgpPeerPoolConditions.CONFIG_APPLIED).orElseThrow().getReason()).isEqualTo(Ownership.NOT_OWNED);
        assertThat(client.configMaps().inNamespace(METALLB).withName(target).get().getData()).containsOnlyKeys("config");

        client.configMaps().inNamespace(METALLB).withName(target)
                .edit(c -> new ConfigMapBuilder(c).editMetadata().addToAnnotations(Ownership.ADOPT_ANNOTATION, "true").endMetadata().build());
        // The operator watches only its own ConfigMaps: the adoption takes effect at the pool's next reconcile.
        apply(pool("adopted", target, m -> pool(m).put("autoAssign", false)));

        awaitCondition("adopted", BgpPeerPoolConditions.CONFIG_APPLIED, "True");
        ConfigMap adopted = configMap(target);
        assertThat(adopted.getData().get("config")).contains("172.17.254.0/24", "auto-assign: false");
        assertThat(adopted.getMetadata().getLabels()).containsEntry(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY);
        deleteAndAwait("adopted");
    }

    @Test
    void resyncWithNothingChangedWritesNothing() {
        String target = target();
        apply(pool("steady", target, m -> ((ObjectNode) m.at("/spec/metallb")).put("install", false)));
        awaitCondition("steady", BgpPeerPoolConditions.CONFIG_APPLIED, "True");
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
        String target = target();
        apply(pool("crd-mode", target, m -> ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.14.8")));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(metallb("crd-mode", "metallb.io/v1beta1", "IPAddressPool")).singleElement()
                    .satisfies(p -> assertThat(spec(p)).containsEntry("addresses", List.of("172.17.254.0/24"))
                            .containsEntry("avoidBuggyIPs", true));
            assertThat(metallb("crd-mode", "metallb.io/v1beta2", "BGPPeer")).singleElement()
                    .satisfies(p -> assertThat(spec(p)).containsEntry("myASN", 64522).containsEntry("peerASN", 64512)
                            .containsEntry("peerAddress", "172.17.0.1"));
            assertThat(metallb("crd-mode", "metallb.io/v1beta1", "BGPAdvertisement")).singleElement()
                    .satisfies(p -> assertThat(spec(p)).containsEntry("ipAddressPools", List.of("my-ip-space"))
                            .containsEntry("aggregationLength", 32));
        });
        assertThat(client.configMaps().inNamespace(METALLB).withName(target).get()).isNull();

        client.resources(BgpPeerPool.class).withName("crd-mode").delete();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metallb("crd-mode", "metallb.io/v1beta1", "IPAddressPool")).isEmpty());
    }

    /**
     * In CRD mode every reconcile reads MetalLB's resources from the dependents' informers: the timed reconciles of a
     * pool with a router to ask (every {@link #ROUTER_REFRESH} here, 10 s in a lab) send no GET or LIST of them and
     * write nothing; a hand edit is put back, and a resource the pool no longer renders is still pruned.
     */
    @Test
    void crdModeSteadyStateReadsNoMetalLbResourceAndPrunes() {
        String target = target();
        BgpPeerPool twoPools = pool("crd-steady", target, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.14.8");
            // Unreachable: the pool is reconciled on the router refresh, which is what this test counts.
            peer(m).putObject("router").put("address", "127.0.0.1:1");
            pool(m).put("name", "steady-a");
            ObjectNode second = ((ArrayNode) m.at("/spec/addressPools")).addObject().put("name", "steady-b").put("protocol", "bgp");
            second.putArray("addresses").add("172.17.253.0/24");
        });
        apply(twoPools);
        awaitCondition("crd-steady", BgpPeerPoolConditions.CONFIG_APPLIED, "True");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metallb("crd-steady", "metallb.io/v1beta1", "IPAddressPool"))
                .extracting(r -> r.getMetadata().getName()).containsExactlyInAnyOrder("steady-a", "steady-b"));
        await().pollDelay(ROUTER_REFRESH.multipliedBy(2)).atMost(Duration.ofSeconds(10)).until(() -> true);

        int reconcilesBefore = operator.reconciles("crd-steady");
        int readsBefore = metallbRequests(List.of("get", "list"));
        int writesBefore = metallbRequests(List.of("create", "update", "patch", "delete"));
        await().pollDelay(ROUTER_REFRESH.multipliedBy(4)).atMost(Duration.ofSeconds(30)).until(() -> true);
        assertThat(operator.reconciles("crd-steady") - reconcilesBefore).as("timed reconciles").isGreaterThanOrEqualTo(3);
        assertThat(metallbRequests(List.of("get", "list")) - readsBefore).as("GETs and LISTs of metallb.io resources").isZero();
        assertThat(metallbRequests(List.of("create", "update", "patch", "delete")) - writesBefore).as("writes of metallb.io resources").isZero();

        // A hand edit is put back: the informer sees it, and the owner label names the pool.
        client.genericKubernetesResources("metallb.io/v1beta1", "IPAddressPool").inNamespace(METALLB).withName("steady-b").edit(r -> {
            spec(r).put("autoAssign", false);
            return r;
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(spec(client.genericKubernetesResources("metallb.io/v1beta1",
                "IPAddressPool").inNamespace(METALLB).withName("steady-b").get())).containsEntry("autoAssign", true));

        apply(pool("crd-steady", target, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.14.8");
            peer(m).putObject("router").put("address", "127.0.0.1:1");
            pool(m).put("name", "steady-a");
        }));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(metallb("crd-steady", "metallb.io/v1beta1", "IPAddressPool")).extracting(r -> r.getMetadata().getName())
                    .containsExactly("steady-a");
            assertThat(metallb("crd-steady", "metallb.io/v1beta1", "BGPAdvertisement")).extracting(r -> r.getMetadata().getName())
                    .containsExactly("steady-a-0");
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events("crd-steady")).extracting(Event::getMessage)
                .contains("IPAddressPool " + METALLB + "/steady-b deleted", "BGPAdvertisement " + METALLB + "/steady-b-0 deleted"));

        deleteAndAwait("crd-steady");
        assertThat(metallb("crd-steady", "metallb.io/v1beta1", "IPAddressPool")).isEmpty();
        assertThat(metallb("crd-steady", "metallb.io/v1beta2", "BGPPeer")).isEmpty();
    }

    /**
     * A metallb.io resource of a name the pool renders that the operator did not write: NotOwned, and nothing of the
     * pool is written (not even its BGPPeer), until a person hands it over with the adopt annotation.
     */
    @Test
    void crdModeForeignResourceStopsTheWriteUntilAdopted() {
        String target = target();
        GenericKubernetesResource theirs = client.resource(new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                .withApiVersion("metallb.io/v1beta1").withKind("IPAddressPool")
                .withNewMetadata().withName("foreign-space").withNamespace(METALLB).endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("addresses", List.of("172.17.252.0/24")))).build()).create();
        Consumer<ObjectNode> crdMode = m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.14.8");
            pool(m).put("name", "foreign-space");
        };
        try {
            apply(pool("crd-foreign", target, crdMode));
            var applied = Conditions.find(awaitCondition("crd-foreign", BgpPeerPoolConditions.CONFIG_APPLIED, "False").getStatus().conditions,
                    BgpPeerPoolConditions.CONFIG_APPLIED).orElseThrow();
            assertThat(applied.getReason()).isEqualTo(Ownership.NOT_OWNED);
            assertThat(applied.getMessage()).contains("IPAddressPool " + METALLB + "/foreign-space", Ownership.ADOPT_ANNOTATION);
            assertThat(metallb("crd-foreign", "metallb.io/v1beta2", "BGPPeer")).as("nothing written").isEmpty();
            assertThat(metallb("crd-foreign", "metallb.io/v1beta1", "BGPAdvertisement")).as("nothing written").isEmpty();
            assertThat(client.resource(theirs).get().getMetadata().getResourceVersion()).isEqualTo(theirs.getMetadata().getResourceVersion());

            client.resource(theirs).edit(r -> {
                r.getMetadata().getAnnotations().put(Ownership.ADOPT_ANNOTATION, "true");
                return r;
            });
            // Not its label: the adoption takes effect at the pool's next reconcile.
            apply(pool("crd-foreign", target, crdMode.andThen(m -> pool(m).put("autoAssign", false))));

            awaitCondition("crd-foreign", BgpPeerPoolConditions.CONFIG_APPLIED, "True");
            GenericKubernetesResource adopted = client.resource(theirs).get();
            assertThat(adopted.getMetadata().getLabels()).containsEntry(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY)
                    .containsEntry(io.k8slab.lab.metallb.CrdRenderer.OWNER_LABEL, "crd-foreign");
            assertThat(spec(adopted)).containsEntry("addresses", List.of("172.17.254.0/24")).containsEntry("autoAssign", false);
            assertThat(metallb("crd-foreign", "metallb.io/v1beta2", "BGPPeer")).hasSize(1);
            deleteAndAwait("crd-foreign");
            assertThat(client.resource(theirs).get()).as("removed with the pool that took it over").isNull();
        } finally {
            client.resource(theirs).delete();
        }
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private static Arguments invalid(String rule, Consumer<ObjectNode> edit, String field, String value) {
        return Arguments.of(rule, edit, field, value);
    }

    /** A name of the test's own: its MetalLB ConfigMap's, and a target's for its Services. */
    private static String target() {
        String name = "mlb-" + NAMESPACES.incrementAndGet();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).serverSideApply();
        return name;
    }

    /**
     * The reference pool, renamed, targeting MetalLB v0.7.3's ConfigMap {@code target} without installing
     * MetalLB and without a router to ask (routers are the netns tests' business), then edited.
     */
    private static BgpPeerPool pool(String name, String target, Consumer<ObjectNode> edit) {
        return Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, name, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.7.3").put("namespace", METALLB).put("configMapName", target)
                    .put("install", false);
            peer(m).remove("router");
            edit.accept(m);
        }), BgpPeerPool.class);
    }

    /**
     * Creates the pool, or replaces its spec as {@code kubectl replace} would; again on a conflict, since the operator
     * writes the status in between (the status subresource moves the resourceVersion too).
     */
    private static void apply(BgpPeerPool pool) {
        for (int attempt = 1; ; attempt++) {
            BgpPeerPool live = client.resources(BgpPeerPool.class).withName(pool.getMetadata().getName()).get();
            try {
                if (live == null) {
                    client.resource(pool).create();
                } else {
                    live.setSpec(pool.getSpec());
                    client.resource(live).update();
                }
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
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
        return Conditions.find(awaitCondition(name, BgpPeerPoolConditions.VALID, "False").getStatus().conditions,
                BgpPeerPoolConditions.VALID).orElseThrow().getMessage();
    }

    private static ConfigMap configMap(String target) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> client.configMaps().inNamespace(METALLB).withName(target).get(),
                c -> c != null && c.getData() != null && c.getData().containsKey(ConfigMapContents.CONFIG_KEY));
    }

    /** The Events so far: they are sent in the background and follow the status shortly, so callers await them. */
    private static List<Event> events(String poolName) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "BgpPeerPool".equals(e.getInvolvedObject().getKind()) && poolName.equals(e.getInvolvedObject().getName()))
                .toList();
    }

    /** The metallb.io resources of a kind rendered from one pool. */
    private static List<GenericKubernetesResource> metallb(String pool, String apiVersion, String kind) {
        return client.genericKubernetesResources(apiVersion, kind).inNamespace(METALLB)
                .withLabel(io.k8slab.lab.metallb.CrdRenderer.OWNER_LABEL, pool).list().getItems();
    }

    /** The operator's requests of metallb.io resources with one of these verbs so far, by the audit log. */
    private static int metallbRequests(List<String> verbs) {
        return (int) TestCluster.get().auditLog().requestsBy(TestCluster.OPERATOR_USER_AGENT).stream()
                .filter(e -> verbs.contains(e.path("verb").asText()))
                .filter(e -> "metallb.io".equals(e.path("objectRef").path("apiGroup").asText()))
                .count();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }
}
