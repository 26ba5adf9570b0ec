package io.k8slab.lab.metallb;

import static io.k8slab.lab.metallb.ReferenceLab.advertisement;
import static io.k8slab.lab.metallb.ReferenceLab.firstPeer;
import static io.k8slab.lab.metallb.ReferenceLab.firstPool;
import static io.k8slab.lab.metallb.ReferenceLab.peer;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.MetalLbTarget;
import io.k8slab.lab.api.v1alpha1.PoolProtocol;

class CrdRendererTest {

    @Test
    void referenceLabIsOnePeerPoolAndAdvertisement() {
        List<GenericKubernetesResource> resources = CrdRenderer.render(MetalLbModel.of(List.of(ReferenceLab.pool("lab"))));

        assertThat(resources).extracting(r -> r.getApiVersion() + " " + r.getKind() + " " + r.getMetadata().getName()).containsExactly(
                "metallb.io/v1beta2 BGPPeer lab-rt-01",
                "metallb.io/v1beta1 IPAddressPool my-ip-space",
                "metallb.io/v1beta1 BGPAdvertisement my-ip-space-0");
        assertThat(resources).allSatisfy(r -> {
            assertThat(r.getMetadata().getNamespace()).isEqualTo("metallb-system");
            assertThat(r.getMetadata().getLabels()).containsOnly(Map.entry("lab.k8slab.io/bgppeerpool", "lab"),
                    Map.entry(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY));
        });
        assertThat(spec(resources.get(0))).containsExactly(Map.entry("myASN", 64522L), Map.entry("peerASN", 64512L),
                Map.entry("peerAddress", "172.17.0.1"), Map.entry("peerPort", 179), Map.entry("holdTime", "90s"));
        assertThat(spec(resources.get(1))).containsExactly(Map.entry("addresses", List.of("172.17.254.0/24")),
                Map.entry("autoAssign", true), Map.entry("avoidBuggyIPs", true));
        assertThat(spec(resources.get(2))).containsExactly(Map.entry("ipAddressPools", List.of("my-ip-space")),
                Map.entry("aggregationLength", 32), Map.entry("localPref", 0L));
    }

    @Test
    void usesTheTargetNamespace() {
        BgpPeerPool pool = ReferenceLab.pool("lab", s -> {
            s.metallb = new MetalLbTarget();
            s.metallb.namespace = "lb";
        });
        assertThat(CrdRenderer.render(MetalLbModel.of(List.of(pool)))).allSatisfy(r -> assertThat(r.getMetadata().getNamespace()).isEqualTo("lb"));
    }

    @Test
    void advertisementsAreNumberedAndResolveNamedCommunities() {
        BgpPeerPool pool = ReferenceLab.pool("lab", s -> {
            s.communities = Map.of("lab", "64512:100");
            firstPool(s).advertisements = List.of(advertisement(32), advertisement(24, "lab", "65535:0"));
        });

        List<GenericKubernetesResource> advertisements = CrdRenderer.render(MetalLbModel.of(List.of(pool))).stream()
                .filter(r -> r.getKind().equals("BGPAdvertisement")).toList();

        assertThat(advertisements).extracting(r -> r.getMetadata().getName()).containsExactly("my-ip-space-0", "my-ip-space-1");
        assertThat(spec(advertisements.get(1))).containsEntry("aggregationLength", 24)
                .containsEntry("communities", List.of("64512:100", "65535:0"));
    }

    @Test
    void layer2PoolGetsAnL2Advertisement() {
        BgpPeerPool pool = ReferenceLab.pool("lab", s -> firstPool(s).protocol = PoolProtocol.layer2);

        List<GenericKubernetesResource> resources = CrdRenderer.render(MetalLbModel.of(List.of(pool)));

        assertThat(resources).extracting(GenericKubernetesResource::getKind).containsExactly("BGPPeer", "IPAddressPool", "L2Advertisement");
        assertThat(resources.get(2).getMetadata().getName()).isEqualTo("my-ip-space");
        assertThat(spec(resources.get(2))).containsExactly(Map.entry("ipAddressPools", List.of("my-ip-space")));
    }

    @Test
    void peerSettingsAndSelectors() {
        BgpPeerPool pool = ReferenceLab.pool("lab", s -> {
            firstPeer(s).routerID = "172.17.0.21";
            firstPeer(s).port = 1179;
            firstPeer(s).nodeSelector = Map.of("kubernetes.io/hostname", "k8s-node-01");
        });

        assertThat(spec(CrdRenderer.render(MetalLbModel.of(List.of(pool))).get(0))).containsEntry("routerID", "172.17.0.21")
                .containsEntry("peerPort", 1179)
                .containsEntry("nodeSelectors", List.of(Map.of("matchLabels", Map.of("kubernetes.io/hostname", "k8s-node-01"))));
    }

    @Test
    void sharedRouterIsOneBgpPeerOfTheFirstBgpPeerPool() {
        BgpPeerPool a = ReferenceLab.pool("a-lab");
        BgpPeerPool b = ReferenceLab.pool("b-lab", s -> {
            firstPeer(s).holdTime = "1m30s";
            s.peers.add(peer("rt-02", "172.17.0.2", 64513));
            firstPool(s).name = "other-space";
            firstPool(s).addresses = List.of("172.17.253.0/24");
        });

        List<GenericKubernetesResource> resources = CrdRenderer.render(MetalLbModel.of(List.of(b, a)));

        assertThat(resources).filteredOn(r -> r.getKind().equals("BGPPeer"))
                .extracting(r -> r.getMetadata().getName() + " " + r.getMetadata().getLabels().get(CrdRenderer.OWNER_LABEL))
                .containsExactly("a-lab-rt-01 a-lab", "b-lab-rt-02 b-lab");
        assertThat(resources).isEqualTo(CrdRenderer.render(MetalLbModel.of(List.of(a, b))));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }
}
