package io.k8slab.lab.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.api.v1alpha1.RouterAPI;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.metallb.ResolvedTarget;
import io.k8slab.lab.metallb.Ownership;
import io.k8slab.lab.metallb.apply.MetalLbInstallation;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.MetalLbCrds;
import io.k8slab.lab.testing.TestCluster;

/**
 * MetalLB v0.16.1 (its native manifest, embedded unchanged) against the real API server: the cluster-wide part
 * from deploy/metallb/v0.16.1/cluster applied as whoever installs the operator would, the operator installing the
 * namespaced rest, repairing drift, reporting a webhook that does not answer yet, and recognising a MetalLB
 * installed by Helm. No MetalLB binary runs here: the tests play kubelet and controller-manager by writing status.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetalLbNativeInstallTest {

    private static final String NAMESPACE = TestCluster.METALLB_NAMESPACE;
    private static final Duration ROUTER_REFRESH = Duration.ofSeconds(2);
    private static final Path CLUSTER_PART = Path.of("deploy/metallb/v0.16.1/cluster/cluster-scoped.yaml");
    private static final Set<String> CLUSTER_WIDE = Set.of("customresourcedefinitions", "clusterroles", "clusterrolebindings",
            "validatingwebhookconfigurations", "namespaces");

    private static final KubernetesClient client = TestCluster.get().client();
    private static LocalOperator operator;

    @BeforeAll
    static void start() throws IOException {
        // The cluster-wide part but its webhook configuration (that one comes in webhookThatDoesNotAnswerIsReportedAndRetried):
        // the CRDs as every test installs them, once per JVM; the namespace exists already.
        MetalLbCrds.install();
        for (HasMetadata object : clusterPart()) {
            if (Set.of("ClusterRole", "ClusterRoleBinding").contains(object.getKind())) {
                install(object);
            }
        }
        operator = new LocalOperator(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(), ROUTER_REFRESH)));
    }

    @AfterAll
    static void stop() throws IOException {
        client.resources(BgpPeerPool.class).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(BgpPeerPool.class).list().getItems().isEmpty());
        operator.close();
        // Leave the shared API server as it was: no MetalLB objects, no webhook that would refuse others' writes.
        removeNamespacedPart();
        for (HasMetadata object : clusterPart()) {
            if (Set.of("ClusterRole", "ClusterRoleBinding", "ValidatingWebhookConfiguration").contains(object.getKind())) {
                client.resource(object).delete();
            }
        }
    }

    /**
     * Someone else's Deployment named as MetalLB's controller: the operator installs nothing (not even the parts
     * that are missing) and says which object stops it, until a person hands it over with the adopt annotation.
     */
    @Test
    @Order(0)
    void componentsItDoesNotOwnStopTheInstallUntilAdopted() {
        // Its selector is MetalLB's (immutable: an adopted Deployment with another one could not be put as released).
        Deployment theirs = client.resource(new DeploymentBuilder().withNewMetadata().withName("controller").withNamespace(NAMESPACE)
                .addToLabels("app", "metallb").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "metallb").addToMatchLabels("component", "controller").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "metallb").addToLabels("component", "controller").endMetadata()
                .withNewSpec().addNewContainer().withName("theirs").withImage("registry.example/theirs:1").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();

        client.resource(pool("adopting", m -> {
        })).create();
        try {
            awaitNotOwnedThenAdopted(theirs);
        } finally {
            // The next tests start from nothing installed.
            client.resources(BgpPeerPool.class).withName("adopting").delete();
            await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(BgpPeerPool.class).withName("adopting").get() == null);
            removeNamespacedPart();
        }
    }

    private static void awaitNotOwnedThenAdopted(Deployment theirs) {

        Condition available = condition(awaitCondition("adopting", BgpPeerPoolConditions.METALLB_AVAILABLE, "False"),
                BgpPeerPoolConditions.METALLB_AVAILABLE);
        assertThat(available.getReason()).isEqualTo(Ownership.NOT_OWNED);
        assertThat(available.getMessage()).contains("Deployment " + NAMESPACE + "/controller", Ownership.ADOPT_ANNOTATION);
        assertThat(controller().getMetadata().getResourceVersion()).isEqualTo(theirs.getMetadata().getResourceVersion());
        assertThat(speaker()).as("nothing installed").isNull();
        assertThat(client.serviceAccounts().inNamespace(NAMESPACE).withName("speaker").get()).as("nothing installed").isNull();

        client.apps().deployments().inNamespace(NAMESPACE).withName("controller")
                .edit(d -> new DeploymentBuilder(d).editMetadata().addToAnnotations(Ownership.ADOPT_ANNOTATION, "true").endMetadata().build());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(speaker()).isNotNull();
            assertThat(controller().getMetadata().getLabels()).containsEntry(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY);
            assertThat(controller().getSpec().getTemplate().getSpec().getContainers()).extracting(c -> c.getImage())
                    .contains("quay.io/metallb/controller:v0.16.1");
        });
    }

    /** With install: false, a MetalLB from the Helm chart (release "mlb": mlb-controller, mlb-speaker) is MetalLB. */
    @Test
    @Order(1)
    void helmInstalledMetalLbIsRecognised() {
        Map<String, String> helm = Map.of("app.kubernetes.io/name", "metallb", "app.kubernetes.io/instance", "mlb",
                "app.kubernetes.io/managed-by", "Helm");
        Deployment controller = client.resource(new DeploymentBuilder().withNewMetadata().withName("mlb-controller").withNamespace(NAMESPACE)
                .addToLabels(helm).addToLabels("app.kubernetes.io/component", "controller").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app.kubernetes.io/component", "controller").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app.kubernetes.io/component", "controller").endMetadata()
                .withNewSpec().addNewContainer().withName("controller").withImage("quay.io/metallb/controller:v0.16.1").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        DaemonSet speaker = client.resource(new DaemonSetBuilder().withNewMetadata().withName("mlb-speaker").withNamespace(NAMESPACE)
                .addToLabels(helm).addToLabels("app.kubernetes.io/component", "speaker").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app.kubernetes.io/component", "speaker").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app.kubernetes.io/component", "speaker").endMetadata()
                .withNewSpec().addNewContainer().withName("speaker").withImage("quay.io/metallb/speaker:v0.16.1").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        reportUp(controller, speaker, 2);

        client.resource(pool("helm", m -> ((ObjectNode) m.at("/spec/metallb")).put("install", false))).create();

        BgpPeerPool pool = awaitCondition("helm", BgpPeerPoolConditions.METALLB_AVAILABLE, "True");
        assertThat(pool.getStatus().speakers).isEqualTo("2/2");
        assertThat(condition(pool, BgpPeerPoolConditions.CONFIG_APPLIED).getStatus()).isEqualTo("True");
        assertThat(client.apps().deployments().inNamespace(NAMESPACE).withName("controller").get()).as("nothing installed").isNull();

        client.resources(BgpPeerPool.class).withName("helm").delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(BgpPeerPool.class).withName("helm").get() == null);
        client.resource(controller).delete();
        client.resource(speaker).delete();
    }

    @Test
    @Order(2)
    void namespacedPartIsInstalledAndDriftRepaired() {
        int writesBefore = TestCluster.get().auditLog().writesBy(TestCluster.OPERATOR_USER_AGENT).size();
        client.resource(pool("native", m -> {
        })).create();

        await().atMost(Duration.ofSeconds(30)).until(() -> controller() != null && speaker() != null);
        assertThat(controller().getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("quay.io/metallb/controller:v0.16.1");
        assertThat(speaker().getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("quay.io/metallb/speaker:v0.16.1");
        for (String[] object : new String[][] { { "v1", "ServiceAccount", "controller" }, { "v1", "ServiceAccount", "speaker" },
                { "v1", "Secret", "metallb-webhook-cert" }, { "v1", "Service", "metallb-webhook-service" },
                { "v1", "ConfigMap", "metallb-excludel2" }, { "rbac.authorization.k8s.io/v1", "Role", "controller" },
                { "rbac.authorization.k8s.io/v1", "Role", "pod-lister" }, { "rbac.authorization.k8s.io/v1", "RoleBinding", "controller" },
                { "rbac.authorization.k8s.io/v1", "RoleBinding", "pod-lister" } }) {
            GenericKubernetesResource live = client.genericKubernetesResources(object[0], object[1]).inNamespace(NAMESPACE).withName(object[2]).get();
            assertThat(live).as(object[1] + " " + object[2]).isNotNull();
            assertThat(live.getMetadata().getLabels()).containsEntry(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY);
        }
        // Its configuration went through the real CRDs (no webhook configured yet).
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(client.genericKubernetesResources("metallb.io/v1beta1", "IPAddressPool")
                .inNamespace(NAMESPACE).withName("my-ip-space").get()).isNotNull());
        assertThat(operatorWrites(writesBefore)).as("cluster-wide writes by the operator")
                .noneMatch(e -> CLUSTER_WIDE.contains(e.path("objectRef").path("resource").asText()));

        // Deleted: the DaemonSet (watched) and the webhook's Service (read back in the same check).
        client.apps().daemonSets().inNamespace(NAMESPACE).withName("speaker").delete();
        client.services().inNamespace(NAMESPACE).withName("metallb-webhook-service").delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> speaker() != null && speaker().getMetadata().getDeletionTimestamp() == null
                && client.services().inNamespace(NAMESPACE).withName("metallb-webhook-service").get() != null);
        // Edited: the controller's image.
        Deployment edited = controller();
        edited.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("quay.io/metallb/controller:v0.15.3");
        client.resource(edited).update();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                controller().getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("quay.io/metallb/controller:v0.16.1"));

        reportUp(controller(), speaker(), 3);
        BgpPeerPool pool = awaitCondition("native", BgpPeerPoolConditions.METALLB_AVAILABLE, "True");
        assertThat(pool.getStatus().speakers).isEqualTo("3/3");
        assertThat(condition(pool, BgpPeerPoolConditions.CONFIG_APPLIED).getStatus()).isEqualTo("True");
    }

    /**
     * Every installed object is watched (a dependent): one deleted on its own is back at once, not at a periodic
     * check. What MetalLB's controller writes into its objects (the webhook certificate in the released Secret)
     * stays, and the operator does not write again after it.
     */
    @Test
    @Order(3)
    void anObjectDeletedAloneIsBackAtOnceAndMetalLbsOwnWritesStay() {
        String uid = client.rbac().roleBindings().inNamespace(NAMESPACE).withName("pod-lister").get().getMetadata().getUid();
        client.rbac().roleBindings().inNamespace(NAMESPACE).withName("pod-lister").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            var binding = client.rbac().roleBindings().inNamespace(NAMESPACE).withName("pod-lister").get();
            return binding != null && !uid.equals(binding.getMetadata().getUid());
        });

        int reconcilesBefore = operator.reconciles("native");
        client.secrets().inNamespace(NAMESPACE).withName("metallb-webhook-cert")
                .edit(secret -> new io.fabric8.kubernetes.api.model.SecretBuilder(secret).addToData("ca.crt", "Y2VydA==").build());
        int writesBefore = TestCluster.get().auditLog().writesBy(TestCluster.OPERATOR_USER_AGENT).size();
        // The Secret is watched: its edit reconciles the pool, which then must leave it as MetalLB's controller wrote it.
        await().atMost(Duration.ofSeconds(10)).until(() -> operator.reconciles("native") > reconcilesBefore);
        await().pollDelay(ROUTER_REFRESH.multipliedBy(3)).atMost(Duration.ofSeconds(20)).until(() -> true);
        assertThat(client.secrets().inNamespace(NAMESPACE).withName("metallb-webhook-cert").get().getData()).containsEntry("ca.crt", "Y2VydA==");
        assertThat(operatorWrites(writesBefore)).as("the operator's writes of MetalLB's objects after the controller's")
                .filteredOn(e -> NAMESPACE.equals(e.path("objectRef").path("namespace").asText()))
                .filteredOn(e -> !"events".equals(e.path("objectRef").path("resource").asText()))
                .isEmpty();
    }

    /** Kubernetes 1.20 has no CEL: it stores MetalLB's CRDs without their x-kubernetes-validations rules. */
    @Test
    @Order(4)
    void apiServer120StoresTheCrdsWithoutTheirCelRules() {
        var crd = client.apiextensions().v1().customResourceDefinitions().withName("bgppeers.metallb.io").get();
        assertThat(crd.getSpec().getVersions()).extracting(v -> v.getName()).containsExactly("v1beta1", "v1beta2");
        assertThat(Serialization.asJson(crd)).doesNotContain("x-kubernetes-validations");
    }

    /**
     * MetalLB's webhook is served by its controller: until that answers, writes of its resources fail. The pool
     * says so (MetalLBAvailable and ConfigApplied False, WebhookNotReady), the rest of its status goes on, and
     * the write is retried until it goes through.
     */
    @Test
    @Order(5)
    void webhookThatDoesNotAnswerIsReportedAndRetried() throws IOException {
        awaitCondition("native", BgpPeerPoolConditions.CONFIG_APPLIED, "True");
        for (HasMetadata object : clusterPart()) {
            if ("ValidatingWebhookConfiguration".equals(object.getKind())) {
                install(object);
            }
        }
        // edit() patches what changed, so the operator's status writes in between cannot conflict with it.
        client.resources(BgpPeerPool.class).withName("native").edit(live -> {
            live.getSpec().addressPools.get(0).autoAssign = false;
            return live;
        });

        BgpPeerPool pool = awaitCondition("native", BgpPeerPoolConditions.METALLB_AVAILABLE, "False");
        Condition available = condition(pool, BgpPeerPoolConditions.METALLB_AVAILABLE);
        assertThat(available.getReason()).isEqualTo(BgpPeerPoolConditions.WEBHOOK_NOT_READY);
        assertThat(available.getMessage()).contains("validationwebhook.metallb.io", "IPAddressPool " + NAMESPACE + "/my-ip-space");
        assertThat(condition(pool, BgpPeerPoolConditions.CONFIG_APPLIED).getReason()).isEqualTo(BgpPeerPoolConditions.WEBHOOK_NOT_READY);
        assertThat(condition(pool, BgpPeerPoolConditions.VALID).getStatus()).isEqualTo("True");
        assertThat(pool.getStatus().speakers).as("the rest of the status goes on").isEqualTo("3/3");
        int failedWrites = webhookRefusals();
        await().atMost(Duration.ofSeconds(20)).until(() -> webhookRefusals() > failedWrites);

        // The controller answers (here: its webhook configuration goes away): the retry writes the pool.
        client.admissionRegistration().v1().validatingWebhookConfigurations().withName("metallb-webhook-configuration").delete();
        awaitCondition("native", BgpPeerPoolConditions.CONFIG_APPLIED, "True");
        assertThat(client.genericKubernetesResources("metallb.io/v1beta1", "IPAddressPool").inNamespace(NAMESPACE).withName("my-ip-space").get()
                .getAdditionalProperties().get("spec")).asString().contains("autoAssign=false");
        assertThat(condition(awaitCondition("native", BgpPeerPoolConditions.METALLB_AVAILABLE, "True"),
                BgpPeerPoolConditions.METALLB_AVAILABLE).getReason()).isEqualTo("Available");
    }

    /**
     * The reference lab's settings (install, a router API to ask) reconcile on the router refresh interval; those
     * timed reconciles read none of MetalLB's components back: the watched workloads come from the informer cache.
     */
    @Test
    @Order(6)
    void timedRouterRefreshesReadNoMetalLbComponent() {
        client.resources(BgpPeerPool.class).withName("native").edit(live -> {
            live.getSpec().peers.get(0).router = new RouterAPI();
            live.getSpec().peers.get(0).router.address = "127.0.0.1:1";
            return live;
        });
        awaitCondition("native", BgpPeerPoolConditions.PEERS_ESTABLISHED, "Unknown");
        await().pollDelay(ROUTER_REFRESH).atMost(Duration.ofSeconds(10)).until(() -> true);

        int componentReadsBefore = operatorGets();
        int reconcilesBefore = operator.reconciles("native");
        await().pollDelay(ROUTER_REFRESH.multipliedBy(4)).atMost(Duration.ofSeconds(30)).until(() -> true);
        assertThat(operator.reconciles("native") - reconcilesBefore).as("timed reconciles").isGreaterThanOrEqualTo(3);
        assertThat(operatorGets() - componentReadsBefore).as("GETs of MetalLB's components").isZero();
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private static void removeNamespacedPart() {
        for (GenericKubernetesResource object : MetalLbInstallation.desired(new ResolvedTarget("v0.16.1", NAMESPACE, "config", true))) {
            client.resource(object).withGracePeriod(0).delete();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> controller() == null && speaker() == null);
    }

    /** The operator's GETs in MetalLB's namespace of anything but its metallb.io configuration (MetalLB's components), by the audit log. */
    private static int operatorGets() {
        return (int) TestCluster.get().auditLog().requestsBy(TestCluster.OPERATOR_USER_AGENT).stream()
                .filter(e -> "get".equals(e.path("verb").asText()))
                .filter(e -> NAMESPACE.equals(e.path("objectRef").path("namespace").asText()))
                .filter(e -> !"metallb.io".equals(e.path("objectRef").path("apiGroup").asText()))
                .count();
    }

    /**
     * Creates or replaces the object, as {@code kubectl apply} does. Not server-side apply: Kubernetes 1.20 refuses
     * the CRDs' x-kubernetes-validations there ("field not declared in schema"), while an update drops them.
     */
    private static void install(HasMetadata object) {
        HasMetadata live = client.resource(object).get();
        if (live == null) {
            client.resource(object).create();
        } else {
            object.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
            client.resource(object).update();
        }
    }

    private static List<HasMetadata> clusterPart() throws IOException {
        try (InputStream in = Files.newInputStream(CLUSTER_PART)) {
            return client.load(in).items();
        }
    }

    /** The example (MetalLB v0.16.1, installed, in metallb-system) without a router to ask, then edited. */
    private static BgpPeerPool pool(String name, Consumer<ObjectNode> edit) {
        return Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, name, m -> {
            ((ObjectNode) m.at("/spec/peers/0")).remove("router");
            edit.accept(m);
        }), BgpPeerPool.class);
    }

    /** No kubelet or controller-manager here: play their part by reporting the components up. */
    private static void reportUp(Deployment controller, DaemonSet speaker, int speakers) {
        controller.setStatus(new DeploymentStatusBuilder().withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1).build());
        client.resource(controller).updateStatus();
        speaker.setStatus(new DaemonSetStatusBuilder().withDesiredNumberScheduled(speakers).withNumberReady(speakers)
                .withCurrentNumberScheduled(speakers).withNumberMisscheduled(0).build());
        client.resource(speaker).updateStatus();
    }

    private static List<com.fasterxml.jackson.databind.JsonNode> operatorWrites(int from) {
        List<com.fasterxml.jackson.databind.JsonNode> writes = TestCluster.get().auditLog().writesBy(TestCluster.OPERATOR_USER_AGENT);
        return writes.subList(from, writes.size());
    }

    /** The operator's writes of MetalLB resources the API server refused (500: the webhook call failed). */
    private static int webhookRefusals() {
        return (int) TestCluster.get().auditLog().writesBy(TestCluster.OPERATOR_USER_AGENT).stream()
                .filter(e -> "metallb.io".equals(e.path("objectRef").path("apiGroup").asText()))
                .filter(e -> e.path("responseStatus").path("code").asInt() == 500).count();
    }

    private static Deployment controller() {
        return client.apps().deployments().inNamespace(NAMESPACE).withName("controller").get();
    }

    private static DaemonSet speaker() {
        return client.apps().daemonSets().inNamespace(NAMESPACE).withName("speaker").get();
    }

    private static Condition condition(BgpPeerPool pool, String type) {
        return Conditions.find(pool.getStatus().conditions, type).orElseThrow();
    }

    private static BgpPeerPool awaitCondition(String name, String type, String status) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(BgpPeerPool.class).withName(name).get(),
                p -> p != null && p.getStatus() != null
                        && p.getMetadata().getGeneration().equals(p.getStatus().observedGeneration)
                        && Conditions.find(p.getStatus().conditions, type).map(c -> status.equals(c.getStatus())).orElse(false));
    }
}
