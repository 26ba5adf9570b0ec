package io.k8slab.lab.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.metallb.CrdRenderer;
import io.k8slab.lab.metallb.apply.MetalLbCrdsMissingException;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.MetalLbCrds;
import io.k8slab.lab.testing.TestCluster;

/**
 * A BgpPeerPool with {@code install: false} while MetalLB's namespace or one of its CRDs does not exist: a condition
 * naming it and one Warning Event, no exception loop, nothing written, and the configuration (MetalLB's resources)
 * written once it does.
 */
class MissingMetalLbApiTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final String BGP_PEERS = "bgppeers.metallb.io";
    private LocalOperator operator;
    private String pool;

    @BeforeAll
    static void installMetalLbCrds() {
        MetalLbCrds.install();
    }

    /** The pool goes while its operator still runs, which removes its finalizer. */
    @AfterEach
    void stop() {
        client.resources(BgpPeerPool.class).withName(pool).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(BgpPeerPool.class).withName(pool).get() == null);
        operator.close();
    }

    @Test
    void aMissingNamespaceIsAConditionAndTheConfigIsWrittenOnceItExists() {
        pool = "missing-namespace";
        String namespace = "mlb-missing-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        // The operator's MetalLB namespace (lab.metallb.namespace) is one nobody has created yet. With deploy/operator's
        // RBAC (a Role in that namespace) the operator could not even watch it; `make run` runs as the developer.
        operator = LocalOperator.withAdminCredentials(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(), BgpPeerPoolReconciler.ROUTER_REFRESH, namespace)));
        client.resource(Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, pool, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("namespace", namespace).put("install", false);
            ((ObjectNode) m.at("/spec/peers/0")).remove("router");
        }), BgpPeerPool.class)).create();

        Condition applied = awaitConfigApplied("False");
        assertThat(applied.getReason()).isEqualTo(ConfigWriteFailure.NAMESPACE_NOT_FOUND);
        assertThat(applied.getMessage()).contains("namespace " + namespace + " (spec.metallb.namespace) does not exist");
        BgpPeerPool live = client.resources(BgpPeerPool.class).withName(pool).get();
        assertThat(Conditions.find(live.getStatus().conditions, BgpPeerPoolConditions.READY).orElseThrow().getReason()).isEqualTo("ConfigApplied");

        // Rechecked meanwhile (every 10 s) without a second Event for the same problem.
        await().pollDelay(ConfigWritePhase.WRITE_RECHECK.plusSeconds(2)).atMost(Duration.ofSeconds(30)).until(() -> true);
        assertThat(warnings(ConfigWriteFailure.NAMESPACE_NOT_FOUND)).as("one Warning Event, not one per recheck").hasSize(1).first()
                .satisfies(e -> assertThat(e.getMessage()).contains(namespace));

        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
        assertThat(awaitConfigApplied("True").getReason()).isEqualTo("Applied");
        assertThat(client.genericKubernetesResources("metallb.io/v1beta1", "IPAddressPool").inNamespace(namespace).withName("my-ip-space").get())
                .isNotNull();
        assertThat(warnings(ConfigWriteFailure.NAMESPACE_NOT_FOUND)).hasSize(1);
    }

    /** The BGPPeer CRD is taken away for the test and put back: even the kinds that are served get nothing written. */
    @Test
    void aMissingCrdIsAConditionAndTheConfigIsWrittenOnceItIsInstalled() {
        pool = "crds-missing";
        client.apiextensions().v1().customResourceDefinitions().withName(BGP_PEERS).delete();
        try {
            client.apiextensions().v1().customResourceDefinitions().withName(BGP_PEERS).waitUntilCondition(Objects::isNull, 60, TimeUnit.SECONDS);
            operator = new LocalOperator(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(), BgpPeerPoolReconciler.ROUTER_REFRESH)));
            client.resource(Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, pool, m -> {
                ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.14.8").put("install", false);
                ((ObjectNode) m.at("/spec/peers/0")).remove("router");
                ((ObjectNode) m.at("/spec/addressPools/0")).put("name", "crds-missing-space").putArray("addresses").add("172.17.251.0/24");
            }), BgpPeerPool.class)).create();

            Condition applied = awaitConfigApplied("False");
            assertThat(applied.getReason()).isEqualTo(MetalLbCrdsMissingException.REASON);
            assertThat(applied.getMessage()).contains(BGP_PEERS + " (v1beta2)", "checked again every 10s").doesNotContain("ipaddresspools");
            assertThat(owned("metallb.io/v1beta1", "IPAddressPool")).as("nothing written, not even the kinds that are served").isEmpty();
            assertThat(owned("metallb.io/v1beta1", "BGPAdvertisement")).as("nothing written").isEmpty();
            await().pollDelay(ConfigWritePhase.WRITE_RECHECK.plusSeconds(2)).atMost(Duration.ofSeconds(30)).until(() -> true);
            assertThat(warnings(MetalLbCrdsMissingException.REASON)).as("one Warning Event, not one per recheck").hasSize(1);
        } finally {
            // Every other test expects MetalLB's CRDs installed.
            TestCluster.get().installCrd(bgpPeerCrd());
        }
        assertThat(awaitConfigApplied("True").getReason()).isEqualTo("Applied");
        assertThat(owned("metallb.io/v1beta2", "BGPPeer")).hasSize(1);
        assertThat(owned("metallb.io/v1beta1", "IPAddressPool")).extracting(r -> r.getMetadata().getName()).containsExactly("crds-missing-space");

        client.resources(BgpPeerPool.class).withName(pool).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(BgpPeerPool.class).withName(pool).get() == null);
        assertThat(owned("metallb.io/v1beta2", "BGPPeer")).isEmpty();
        assertThat(owned("metallb.io/v1beta1", "IPAddressPool")).isEmpty();
    }

    private static CustomResourceDefinition bgpPeerCrd() {
        return MetalLbCrds.fromManifest().stream().filter(crd -> BGP_PEERS.equals(crd.getMetadata().getName())).findFirst().orElseThrow();
    }

    private List<GenericKubernetesResource> owned(String apiVersion, String kind) {
        return client.genericKubernetesResources(apiVersion, kind).inNamespace(TestCluster.METALLB_NAMESPACE)
                .withLabel(CrdRenderer.OWNER_LABEL, pool).list().getItems();
    }

    private Condition awaitConfigApplied(String status) {
        return await().atMost(Duration.ofSeconds(40)).until(() -> {
            BgpPeerPool live = client.resources(BgpPeerPool.class).withName(pool).get();
            return live == null || live.getStatus() == null ? null
                    : Conditions.find(live.getStatus().conditions, BgpPeerPoolConditions.CONFIG_APPLIED).orElse(null);
        }, c -> c != null && status.equals(c.getStatus()));
    }

    private List<Event> warnings(String reason) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "BgpPeerPool".equals(e.getInvolvedObject().getKind()) && pool.equals(e.getInvolvedObject().getName()))
                .filter(e -> reason.equals(e.getReason()))
                .toList();
    }
}
