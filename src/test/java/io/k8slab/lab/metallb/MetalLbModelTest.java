package io.k8slab.lab.metallb;

import static io.k8slab.lab.metallb.ReferenceLab.addressPool;
import static io.k8slab.lab.metallb.ReferenceLab.advertisement;
import static io.k8slab.lab.metallb.ReferenceLab.firstPeer;
import static io.k8slab.lab.metallb.ReferenceLab.firstPool;
import static io.k8slab.lab.metallb.ReferenceLab.peer;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.k8slab.lab.api.v1alpha1.AddressPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.PoolProtocol;
import io.k8slab.lab.kube.Networks;

/** The one function from BgpPeerPools and cluster facts to MetalLB's configuration or violations. */
class MetalLbModelTest {

    private static final MetalLbModel.Facts LAB = new MetalLbModel.Facts(Optional.of(ReferenceLab.networks()), Optional.empty(), List.of());

    @Test
    void theReferenceLabIsItsPeerAndPoolWithMetalLbsDefaults() {
        MetalLbModel.Parsed parsed = MetalLbModel.parse(ReferenceLab.pool("lab"), List.of(), LAB);

        assertThat(parsed.violations()).isEmpty();
        MetalLbModel model = parsed.model().orElseThrow();
        assertThat(model.target()).isEqualTo(new ResolvedTarget("v0.7.3", "metallb-system", "config", true));
        assertThat(model.peers()).containsExactly(new MetalLbModel.Peer("lab", "rt-01", new MetalLbModel.Session(64522, 64512,
                "172.17.0.1", 179, Duration.ofSeconds(90), null, new TreeMap<>())));
        assertThat(model.pools()).containsExactly(new MetalLbModel.Pool("lab", "my-ip-space", PoolProtocol.bgp,
                List.of("172.17.254.0/24"), true, true, List.of()));
        assertThat(model.pools().get(0).announced()).containsExactly(new MetalLbModel.Advertisement(32, 0, List.of(), List.of()));
        assertThat(model.communities()).isEmpty();
    }

    @Test
    void aRefusedCandidateGivesItsViolationsAndNoModel() {
        BgpPeerPool candidate = ReferenceLab.pool("lab", s -> firstPeer(s).holdTime = "1s");

        MetalLbModel.Parsed parsed = MetalLbModel.parse(candidate, List.of(), LAB);

        assertThat(parsed.model()).isEmpty();
        assertThat(parsed.violations()).singleElement().satisfies(v -> assertThat(v.field()).isEqualTo("spec.peers[rt-01].holdTime"));
    }

    @Test
    void theSpecsRulesComeBeforeTheAddressesServicesHold() {
        BgpPeerPool accepted = ReferenceLab.pool("lab");
        BgpPeerPool candidate = ReferenceLab.pool("lab", s -> {
            firstPeer(s).holdTime = "1s";
            firstPool(s).addresses = List.of("172.17.253.0/24");
        });
        List<Service> web = List.of(new ServiceBuilder().withNewMetadata().withName("web").withNamespace("default").endMetadata()
                .withNewSpec().withType("LoadBalancer").endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("172.17.254.10").endIngress().endLoadBalancer().endStatus().build());

        MetalLbModel.Parsed parsed = MetalLbModel.parse(candidate, List.of(),
                new MetalLbModel.Facts(Optional.of(ReferenceLab.networks()), Optional.of(accepted), web));

        assertThat(parsed.violations()).extracting(v -> v.reason()).containsExactly("InvalidHoldTime", AssignedAddresses.REASON);
    }

    @Test
    void theCandidateReplacesItsCopyInForceAndPoolsMergeByName() {
        BgpPeerPool b = ReferenceLab.pool("b", s -> s.addressPools = List.of(addressPool("b-space", "172.17.253.0/24")));
        BgpPeerPool stale = ReferenceLab.pool("a", s -> firstPool(s).addresses = List.of("172.17.252.0/24"));
        BgpPeerPool a = ReferenceLab.pool("a");

        MetalLbModel model = MetalLbModel.parse(a, List.of(b, stale), LAB).model().orElseThrow();

        assertThat(model.pools()).extracting(MetalLbModel.Pool::owner, MetalLbModel.Pool::name, p -> p.addresses().get(0))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "my-ip-space", "172.17.254.0/24"),
                        org.assertj.core.groups.Tuple.tuple("b", "b-space", "172.17.253.0/24"));
        // Both declare rt-01 identically: one session, declared by the first by name.
        assertThat(model.peers()).extracting(MetalLbModel.Peer::owner).containsExactly("a");
    }

    @Test
    void sessionsThatDifferAreKeptApart() {
        BgpPeerPool a = ReferenceLab.pool("a", s -> s.peers.add(peer("rt-02", "172.17.0.2", 64512)));
        BgpPeerPool b = ReferenceLab.pool("b", s -> {
            s.peers.get(0).holdTime = "30s";
            s.addressPools = List.of(addressPool("b-space", "172.17.253.0/24"));
        });

        MetalLbModel model = MetalLbModel.of(List.of(b, a));

        assertThat(model.peers()).extracting(p -> p.owner() + "/" + p.name()).containsExactly("a/rt-01", "a/rt-02", "b/rt-01");
        assertThat(model.peer(MetalLbModel.Session.of(b.getSpec(), b.getSpec().peers.get(0)))).map(MetalLbModel.Peer::owner).contains("b");
    }

    @Test
    void advertisementsKeepCommunitiesAsWrittenAndResolved() {
        BgpPeerPool pool = ReferenceLab.pool("lab", s -> {
            s.communities = Map.of("no-export", "65535:65281");
            firstPool(s).advertisements = List.of(advertisement(24, "no-export", "64512:1"));
        });

        MetalLbModel.Advertisement advertisement = MetalLbModel.of(List.of(pool)).pools().get(0).announced().get(0);

        assertThat(advertisement).isEqualTo(new MetalLbModel.Advertisement(24, 0, List.of("no-export", "64512:1"),
                List.of("65535:65281", "64512:1")));
    }

    @Test
    void anInvalidPoolStillReadsWithDefaultsForTheRoutesExpectedOfIt() {
        AddressPool given = addressPool("odd", "172.17.254.0/24", "not-an-address", "172.17.254.20-172.17.254.10");
        given.advertisements = List.of(advertisement(null), advertisement(40));

        MetalLbModel.Pool pool = MetalLbModel.Pool.of(given);

        assertThat(pool.protocol()).isEqualTo(PoolProtocol.bgp);
        assertThat(pool.autoAssign()).isTrue();
        assertThat(pool.avoidBuggyIPs()).isFalse();
        assertThat(pool.ranges()).containsExactly(Networks.parseCIDR("172.17.254.0/24").orElseThrow(),
                Networks.parseCidrOrRange("172.17.254.20-172.17.254.10").orElseThrow());
        assertThat(pool.announced()).extracting(MetalLbModel.Advertisement::aggregationLength).containsExactly(32, 40);
    }
}
