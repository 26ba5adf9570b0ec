package io.k8slab.lab.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
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
 * A pool in CRD mode ({@code install: false}) while the API server does not serve one of MetalLB's CRDs: a
 * ConfigApplied condition naming it and one Warning Event, nothing written (not even the kinds that are served),
 * and the configuration written once the CRD is installed. The BGPPeer CRD is taken away for the test and put back.
 */
class MissingMetalLbCrdsApiTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final String POOL = "crds-missing";
    private static final String NAMESPACE = TestCluster.METALLB_NAMESPACE;
    private static final String BGP_PEERS = "bgppeers.metallb.io";
    private static LocalOperator operator;

    @BeforeAll
    static void removeTheBgpPeerCrd() {
        MetalLbCrds.install();
        client.apiextensions().v1().customResourceDefinitions().withName(BGP_PEERS).delete();
        client.apiextensions().v1().customResourceDefinitions().withName(BGP_PEERS).waitUntilCondition(Objects::isNull, 60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        client.resources(BgpPeerPool.class).withName(POOL).delete();
        // Every other test expects MetalLB's CRDs installed.
        TestCluster.get().installCrd(bgpPeerCrd());
    }

    @Test
    void aMissingCrdIsAConditionAndTheConfigIsWrittenOnceItIsInstalled() {
        operator = new LocalOperator(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(), BgpPeerPoolReconciler.ROUTER_REFRESH)));
        client.resource(Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, POOL, m -> {
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
        assertThat(warnings()).as("one Warning Event, not one per recheck").hasSize(1);

        TestCluster.get().installCrd(bgpPeerCrd());
        assertThat(awaitConfigApplied("True").getReason()).isEqualTo("Applied");
        assertThat(owned("metallb.io/v1beta2", "BGPPeer")).hasSize(1);
        assertThat(owned("metallb.io/v1beta1", "IPAddressPool")).extracting(r -> r.getMetadata().getName()).containsExactly("crds-missing-space");

        client.resources(BgpPeerPool.class).withName(POOL).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(BgpPeerPool.class).withName(POOL).get() == null);
        assertThat(owned("metallb.io/v1beta2", "BGPPeer")).isEmpty();
        assertThat(owned("metallb.io/v1beta1", "IPAddressPool")).isEmpty();
    }

    private static CustomResourceDefinition bgpPeerCrd() {
        return MetalLbCrds.fromManifest().stream().filter(crd -> BGP_PEERS.equals(crd.getMetadata().getName())).findFirst().orElseThrow();
    }

    private static List<GenericKubernetesResource> owned(String apiVersion, String kind) {
        return client.genericKubernetesResources(apiVersion, kind).inNamespace(NAMESPACE).withLabel(CrdRenderer.OWNER_LABEL, POOL).list().getItems();
    }

    private static Condition awaitConfigApplied(String status) {
        return await().atMost(Duration.ofSeconds(40)).until(() -> {
            BgpPeerPool pool = client.resources(BgpPeerPool.class).withName(POOL).get();
            return pool == null || pool.getStatus() == null ? null
                    : Conditions.find(pool.getStatus().conditions, BgpPeerPoolConditions.CONFIG_APPLIED).orElse(null);
        }, c -> c != null && status.equals(c.getStatus()));
    }

    private static List<Event> warnings() {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "BgpPeerPool".equals(e.getInvolvedObject().getKind()) && POOL.equals(e.getInvolvedObject().getName()))
                .filter(e -> MetalLbCrdsMissingException.REASON.equals(e.getReason()))
                .toList();
    }
}
