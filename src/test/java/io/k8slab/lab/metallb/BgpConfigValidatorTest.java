package io.k8slab.lab.metallb;

import static io.k8slab.lab.metallb.ReferenceLab.addressPool;
import static io.k8slab.lab.metallb.ReferenceLab.advertisement;
import static io.k8slab.lab.metallb.ReferenceLab.firstPeer;
import static io.k8slab.lab.metallb.ReferenceLab.firstPool;
import static io.k8slab.lab.metallb.ReferenceLab.peer;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;
import io.k8slab.lab.api.v1alpha1.MetalLbTarget;
import io.k8slab.lab.api.v1alpha1.PoolProtocol;
import io.k8slab.lab.kube.Violation;

class BgpConfigValidatorTest {

    private static List<Violation> validate(BgpPeerPool pool, List<BgpPeerPool> others) {
        return BgpConfigValidator.validate(pool, others, Optional.of(ReferenceLab.networks()));
    }

    private static void assertSingleViolation(List<Violation> violations, String field, String reason, String inMessage) {
        assertThat(violations).singleElement().satisfies(violation -> {
            assertThat(violation.field()).isEqualTo(field);
            assertThat(violation.reason()).isEqualTo(reason);
            assertThat(violation.message()).contains(inMessage);
        });
    }

    @Test
    void referenceLabIsValid() {
        assertThat(validate(ReferenceLab.pool("lab"), List.of())).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validEdits")
    void acceptsValidSpec(String description, Consumer<BgpPeerPoolSpec> edit) {
        assertThat(validate(ReferenceLab.pool("lab", edit), List.of())).isEmpty();
    }

    static Stream<Arguments> validEdits() {
        return Stream.of(
                edit("hold time 0s", s -> firstPeer(s).holdTime = "0s"),
                edit("hold time 0", s -> firstPeer(s).holdTime = "0"),
                edit("hold time 3s", s -> firstPeer(s).holdTime = "3s"),
                edit("hold time 1m30s", s -> firstPeer(s).holdTime = "1m30s"),
                edit("hold time 65535s, the 16-bit maximum", s -> firstPeer(s).holdTime = "65535s"),
                edit("hold time 18h12m15.9s, 65535s once MetalLB drops the fraction", s -> firstPeer(s).holdTime = "18h12m15.9s"),
                edit("router ID just below multicast", s -> firstPeer(s).routerID = "223.255.255.254"),
                edit("router ID 1.0.0.0", s -> firstPeer(s).routerID = "1.0.0.0"),
                edit("explicit defaults", s -> {
                    firstPeer(s).port = 179;
                    firstPeer(s).holdTime = "90s";
                    firstPool(s).autoAssign = true;
                    s.metallb = new MetalLbTarget();
                    s.metallb.version = "v0.7.3";
                }),
                edit("router ID and node selector", s -> {
                    firstPeer(s).routerID = "172.17.0.21";
                    firstPeer(s).nodeSelector = Map.of("kubernetes.io/hostname", "k8s-node-01", "rack", "");
                }),
                edit("second router on the same host, other port", s -> {
                    s.peers.add(peer("rt-02", "172.17.0.1", 64513));
                    s.peers.get(1).port = 1179;
                }),
                edit("aggregation to the pool's own /24", s -> firstPool(s).advertisements = List.of(advertisement(24))),
                edit("range with /32 advertisements", s -> {
                    firstPool(s).addresses = List.of("172.17.254.10-172.17.254.20");
                    firstPool(s).advertisements = List.of(advertisement(32));
                }),
                edit("single-address range", s -> firstPool(s).addresses = List.of("172.17.254.10-172.17.254.10")),
                edit("literal and named communities", s -> {
                    s.communities = Map.of("lab", "64512:100");
                    firstPool(s).advertisements = List.of(advertisement(null, "lab", "65535:65535", "0:0"));
                }),
                edit("layer2 pool without advertisements", s -> firstPool(s).protocol = PoolProtocol.layer2),
                edit("two disjoint pools", s -> s.addressPools.add(addressPool("more", "172.17.253.0/24"))),
                edit("MetalLB v0.13.0", s -> {
                    s.metallb = new MetalLbTarget();
                    s.metallb.version = "v0.13.0";
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidEdits")
    void rejectsInvalidSpec(String description, Consumer<BgpPeerPoolSpec> edit, String field, String reason, String inMessage) {
        assertSingleViolation(validate(ReferenceLab.pool("lab", edit), List.of()), field, reason, inMessage);
    }

    static Stream<Arguments> invalidEdits() {
        String peer = "spec.peers[rt-01]";
        String pool = "spec.addressPools[my-ip-space]";
        return Stream.of(
                rejected("my ASN missing", s -> s.myASN = null, "spec.myASN", "MissingASN", "my ASN is required"),
                rejected("my ASN 0", s -> s.myASN = 0L, "spec.myASN", "InvalidASN", "my ASN 0"),
                rejected("peer ASN missing", s -> firstPeer(s).asn = null, peer + ".asn", "MissingASN", "peer ASN is required"),
                rejected("peer ASN above 32 bits", s -> firstPeer(s).asn = 4294967296L, peer + ".asn", "InvalidASN", "4294967296"),
                rejected("peer address a name", s -> firstPeer(s).address = "rt-01.lab", peer + ".address", "InvalidPeerAddress", "rt-01.lab"),
                rejected("port 0", s -> firstPeer(s).port = 0, peer + ".port", "InvalidPort", "port 0"),
                rejected("hold time not a duration", s -> firstPeer(s).holdTime = "ninety", peer + ".holdTime", "InvalidHoldTime", "ninety"),
                rejected("hold time 2s", s -> firstPeer(s).holdTime = "2s", peer + ".holdTime", "InvalidHoldTime",
                        "hold time 2s must be 0 or at least 3s"),
                rejected("hold time 2.9s", s -> firstPeer(s).holdTime = "2.9s", peer + ".holdTime", "InvalidHoldTime", "2.9s"),
                rejected("hold time 0.5s (MetalLB: 0, no hold timer)", s -> firstPeer(s).holdTime = "0.5s", peer + ".holdTime", "InvalidHoldTime",
                        "hold time 0.5s must be 0 or at least 3s"),
                rejected("router ID not IPv4", s -> firstPeer(s).routerID = "172.17.0", peer + ".routerID", "InvalidRouterID", "172.17.0"),
                rejected("hold time 65536s (MetalLB would send 0: no hold timer)", s -> firstPeer(s).holdTime = "65536s",
                        peer + ".holdTime", "InvalidHoldTime", "hold time 65536s is more than 65535s"),
                rejected("hold time 18h12m16s", s -> firstPeer(s).holdTime = "18h12m16s", peer + ".holdTime", "InvalidHoldTime",
                        "16-bit"),
                rejected("hold time 3000000h (issue 12)", s -> firstPeer(s).holdTime = "3000000h", peer + ".holdTime",
                        "InvalidHoldTime", "hold time 3000000h is more than 65535s"),
                rejected("router ID 0.0.0.0", s -> firstPeer(s).routerID = "0.0.0.0", peer + ".routerID", "InvalidRouterID",
                        "router ID 0.0.0.0 is unspecified (0.0.0.0); BGP needs a unicast host address"),
                rejected("router ID in 0.0.0.0/8", s -> firstPeer(s).routerID = "0.1.2.3", peer + ".routerID", "InvalidRouterID",
                        "this network"),
                rejected("router ID loopback", s -> firstPeer(s).routerID = "127.0.0.1", peer + ".routerID", "InvalidRouterID",
                        "loopback"),
                rejected("router ID multicast, first", s -> firstPeer(s).routerID = "224.0.0.0", peer + ".routerID", "InvalidRouterID",
                        "router ID 224.0.0.0 is a multicast address"),
                rejected("router ID multicast, last", s -> firstPeer(s).routerID = "239.255.255.255", peer + ".routerID",
                        "InvalidRouterID", "multicast"),
                rejected("router ID reserved class E", s -> firstPeer(s).routerID = "240.0.0.1", peer + ".routerID", "InvalidRouterID",
                        "reserved (240.0.0.0/4)"),
                rejected("router ID broadcast", s -> firstPeer(s).routerID = "255.255.255.255", peer + ".routerID", "InvalidRouterID",
                        "the broadcast address"),
                rejected("node selector key", s -> firstPeer(s).nodeSelector = Map.of("-rack", "a"), peer + ".nodeSelector[-rack]",
                        "InvalidNodeSelector", "-rack"),
                rejected("node selector key prefix", s -> firstPeer(s).nodeSelector = Map.of("Lab_IO/rack", "a"),
                        peer + ".nodeSelector[Lab_IO/rack]", "InvalidNodeSelector", "Lab_IO"),
                rejected("node selector value", s -> firstPeer(s).nodeSelector = Map.of("rack", "a b"), peer + ".nodeSelector[rack]",
                        "InvalidNodeSelector", "a b"),
                rejected("no peers", s -> s.peers.clear(), "spec.peers", "MissingPeers", "peer"),
                rejected("peer name twice", s -> s.peers.add(peer("rt-01", "172.17.0.2", 64512)), peer + ".name", "DuplicatePeerName", "rt-01"),
                rejected("same router twice", s -> s.peers.add(peer("rt-02", "172.17.0.1", 64513)), "spec.peers[rt-02].address",
                        "DuplicatePeer", "172.17.0.1:179"),
                rejected("no pools", s -> s.addressPools.clear(), "spec.addressPools", "MissingAddressPools", "pool"),
                rejected("pool without name", s -> firstPool(s).name = null, "spec.addressPools[0].name", "MissingPoolName", "name"),
                rejected("pool name twice", s -> s.addressPools.add(addressPool("my-ip-space", "172.17.253.0/24")), pool + ".name",
                        "DuplicatePoolName", "my-ip-space"),
                rejected("pool without addresses", s -> firstPool(s).addresses = List.of(), pool + ".addresses", "MissingAddresses", "my-ip-space"),
                rejected("prefix /33", s -> firstPool(s).addresses = List.of("172.17.254.0/33"), pool + ".addresses[0]", "InvalidAddress",
                        "172.17.254.0/33"),
                rejected("range end not an address", s -> firstPool(s).addresses = List.of("172.17.254.10-172.17.254.300"),
                        pool + ".addresses[0]", "InvalidAddress", "172.17.254.10-172.17.254.300"),
                rejected("range start after end", s -> firstPool(s).addresses = List.of("172.17.254.20-172.17.254.10"),
                        pool + ".addresses[0]", "ReversedRange", "172.17.254.20-172.17.254.10"),
                rejected("overlap within a pool", s -> firstPool(s).addresses.add("172.17.254.128/25"), pool + ".addresses[1]", "PoolOverlap",
                        "172.17.254.128/25 overlaps 172.17.254.0/24"),
                rejected("overlap between pools", s -> s.addressPools.add(addressPool("more", "172.17.254.100-172.17.254.110")),
                        "spec.addressPools[more].addresses[0]", "PoolOverlap", "172.17.254.100-172.17.254.110"),
                rejected("advertisements on a layer2 pool", s -> {
                    firstPool(s).protocol = PoolProtocol.layer2;
                    firstPool(s).advertisements = List.of(advertisement(32));
                }, pool + ".advertisements", "AdvertisementsOnLayer2Pool", "my-ip-space"),
                rejected("aggregation length 33", s -> firstPool(s).advertisements = List.of(advertisement(33)),
                        pool + ".advertisements[0].aggregationLength", "InvalidAggregationLength", "33"),
                rejected("aggregation length shorter than the pool's /24", s -> firstPool(s).advertisements = List.of(advertisement(23)),
                        pool + ".advertisements[0].aggregationLength", "AggregationLengthTooShort", "aggregation length 23"),
                rejected("aggregation length against the pool's longest prefix", s -> {
                    firstPool(s).addresses.add("172.17.253.0/28");
                    firstPool(s).advertisements = List.of(advertisement(32), advertisement(26));
                }, pool + ".advertisements[1].aggregationLength", "AggregationLengthTooShort", "172.17.253.0/28"),
                rejected("aggregation of a range that splits into a /32", s -> {
                    firstPool(s).addresses = List.of("172.17.254.10-172.17.254.20");
                    firstPool(s).advertisements = List.of(advertisement(24));
                }, pool + ".advertisements[0].aggregationLength", "AggregationLengthTooShort", "172.17.254.20/32"),
                rejected("negative local preference", s -> {
                    firstPool(s).advertisements = List.of(advertisement(32));
                    firstPool(s).advertisements.get(0).localPref = -1L;
                }, pool + ".advertisements[0].localPref", "InvalidLocalPref", "-1"),
                rejected("community without value", s -> firstPool(s).advertisements = List.of(advertisement(32, "64512:1", "64512")),
                        pool + ".advertisements[0].communities[1]", "InvalidCommunity", "'64512'"),
                rejected("community ASN above 16 bits", s -> firstPool(s).advertisements = List.of(advertisement(32, "65536:1")),
                        pool + ".advertisements[0].communities[0]", "InvalidCommunity", "65536:1"),
                rejected("community value above 16 bits", s -> firstPool(s).advertisements = List.of(advertisement(32, "1:65536")),
                        pool + ".advertisements[0].communities[0]", "InvalidCommunity", "1:65536"),
                rejected("unknown community name", s -> firstPool(s).advertisements = List.of(advertisement(32, "no-such")),
                        pool + ".advertisements[0].communities[0]", "InvalidCommunity", "no-such"),
                rejected("named community with a bad value", s -> s.communities = Map.of("lab", "64512:99999"), "spec.communities[lab]",
                        "InvalidCommunity", "64512:99999"),
                rejected("version not a release", s -> {
                    s.metallb = new MetalLbTarget();
                    s.metallb.version = "latest";
                }, "spec.metallb.version", "InvalidVersion", "latest"),
                rejected("version older than v0.7.3", s -> {
                    s.metallb = new MetalLbTarget();
                    s.metallb.version = "v0.6.2";
                }, "spec.metallb.version", "UnsupportedVersion", "v0.6.2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clusterNetworkCases")
    void keepsPoolsOutOfClusterNetworks(String description, Consumer<BgpPeerPoolSpec> edit, String inMessage) {
        List<Violation> violations = validate(ReferenceLab.pool("lab", edit), List.of());
        if (inMessage == null) {
            assertThat(violations).isEmpty();
        } else {
            assertSingleViolation(violations, "spec.addressPools[my-ip-space].addresses[0]", "OverlapsClusterNetwork", inMessage);
        }
    }

    static Stream<Arguments> clusterNetworkCases() {
        return Stream.of(
                Arguments.of("bgp pool in the node network", address("172.17.0.200-172.17.0.250"), "the node network 172.17.0.0/24"),
                Arguments.of("pool in the pod network", address("10.244.7.0/24"), "the pod network 10.244.0.0/16"),
                Arguments.of("pool in the Service network", address("10.100.0.0/16"), "the Service network 10.96.0.0/12"),
                Arguments.of("layer2 pool in the node network", address("172.17.0.200-172.17.0.250").andThen(layer2()), null),
                Arguments.of("layer2 pool in the pod network", address("10.244.7.0/24").andThen(layer2()), "the pod network"));
    }

    @Test
    void withoutLabNetworksOnlyPoolsAreChecked() {
        BgpPeerPool pool = ReferenceLab.pool("lab", address("10.244.7.0/24"));
        assertThat(BgpConfigValidator.validate(pool, List.of(), Optional.empty())).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherPoolConflicts")
    void rejectsConflictWithOtherBgpPeerPool(String description, Consumer<BgpPeerPoolSpec> otherEdit, Consumer<BgpPeerPoolSpec> edit,
            String field, String reason, String inMessage) {
        assertSingleViolation(validate(ReferenceLab.pool("lab", edit), List.of(other(otherEdit))), field, reason, inMessage);
    }

    static Stream<Arguments> otherPoolConflicts() {
        Consumer<BgpPeerPoolSpec> none = s -> {
        };
        return Stream.of(
                Arguments.of("pool name taken", (Consumer<BgpPeerPoolSpec>) s -> firstPool(s).name = "my-ip-space", none,
                        "spec.addressPools[my-ip-space].name", "DuplicatePoolName", "BgpPeerPool 'lab-2'"),
                Arguments.of("addresses taken", address("172.17.254.128/25"), none, "spec.addressPools[my-ip-space].addresses[0]",
                        "PoolOverlap", "172.17.254.128/25 of pool other-space in BgpPeerPool 'lab-2'"),
                Arguments.of("same router, other ASN", (Consumer<BgpPeerPoolSpec>) s -> firstPeer(s).asn = 64513L, none, "spec.peers[rt-01]",
                        "PeerConflict", "asn 64512 vs 64513"),
                Arguments.of("same router, other my ASN", (Consumer<BgpPeerPoolSpec>) s -> s.myASN = 64523L, none, "spec.peers[rt-01]",
                        "PeerConflict", "myASN 64522 vs 64523"),
                Arguments.of("same router, other hold time", (Consumer<BgpPeerPoolSpec>) s -> firstPeer(s).holdTime = "30s", none,
                        "spec.peers[rt-01]", "PeerConflict", "holdTime 90s vs 30s"),
                Arguments.of("other MetalLB", (Consumer<BgpPeerPoolSpec>) s -> {
                    s.metallb = new MetalLbTarget();
                    s.metallb.version = "v0.13.0";
                }, none, "spec.metallb", "MetalLBTargetConflict", "v0.13.0"),
                Arguments.of("community defined otherwise", (Consumer<BgpPeerPoolSpec>) s -> s.communities = Map.of("lab", "64512:2"),
                        (Consumer<BgpPeerPoolSpec>) s -> s.communities = Map.of("lab", "64512:1"), "spec.communities[lab]",
                        "CommunityConflict", "64512:2"));
    }

    @Test
    void sameRouterDeclaredAlikeInTwoBgpPeerPoolsIsOneSession() {
        BgpPeerPool other = other(s -> {
            firstPeer(s).name = "router";
            firstPeer(s).port = 179;
            firstPeer(s).holdTime = "1m30s";
            s.communities = Map.of("lab", "64512:1");
        });
        BgpPeerPool pool = ReferenceLab.pool("lab", s -> s.communities = Map.of("lab", "64512:01"));
        assertThat(validate(pool, List.of(other))).isEmpty();
    }

    @Test
    void rejectsMissingSpec() {
        BgpPeerPool pool = ReferenceLab.pool("lab");
        pool.setSpec(null);
        assertSingleViolation(validate(pool, List.of()), "spec", "MissingSpec", "spec");
    }

    @Test
    void ignoresItselfAmongTheOtherPools() {
        assertThat(validate(ReferenceLab.pool("lab"), List.of(ReferenceLab.pool("lab")))).isEmpty();
    }

    /**
     * MetalLB v0.16.1's own parser ({@code internal/config/config.go}, function {@code For}, which its webhook runs)
     * on the resources rendered for v0.13 and later: each case names the function and check it mirrors, and the
     * same spec for v0.7.3 shows what that parser decides instead.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("crdParserRules")
    void appliesMetalLbCrdParserRules(String rule, Consumer<BgpPeerPoolSpec> edit, String field, String reason, String inMessage,
            boolean v073Accepts) {
        assertSingleViolation(validate(ReferenceLab.pool("lab", crd(edit)), List.of()), field, reason, inMessage);
        assertThat(validate(ReferenceLab.pool("lab", edit), List.of())).as("v0.7.3").hasSize(v073Accepts ? 0 : 1);
    }

    static Stream<Arguments> crdParserRules() {
        String ad = "spec.addressPools[my-ip-space].advertisements";
        return Stream.of(
                Arguments.of("bgpAdvertisementFromCR validateDuplicate(Communities): a literal twice",
                        (Consumer<BgpPeerPoolSpec>) s -> firstPool(s).advertisements = List.of(advertisement(32, "64512:1", "64512:1")),
                        ad + "[0].communities[1]", "DuplicateCommunity", "communities[0]", true),
                Arguments.of("bgpAdvertisementFromCR validateDuplicate(Communities): a name resolving to a literal given too",
                        (Consumer<BgpPeerPoolSpec>) s -> {
                            s.communities = Map.of("lab", "64512:100");
                            firstPool(s).advertisements = List.of(advertisement(32, "64512:100", "lab"));
                        }, ad + "[0].communities[1]", "DuplicateCommunity", "'lab' is written as 64512:100", true),
                Arguments.of("validateBGPAdvPerPool BGPAdvertisementsHaveCompatibleLocalPref: same length, other LOCAL_PREF",
                        (Consumer<BgpPeerPoolSpec>) s -> {
                            firstPool(s).advertisements = List.of(advertisement(32), advertisement(32, "64512:1"));
                            firstPool(s).advertisements.get(1).localPref = 100L;
                        }, ad + "[1].localPref", "ConflictingLocalPref", "differs from 0 of advertisements[0]", true),
                Arguments.of("validateBGPAdvPerPool lowestMask: the widest CIDR of a range still bounds the length",
                        (Consumer<BgpPeerPoolSpec>) s -> {
                            firstPool(s).addresses = List.of("172.17.254.10-172.17.254.20");
                            firstPool(s).advertisements = List.of(advertisement(29));
                        }, ad + "[0].aggregationLength", "AggregationLengthTooShort", "172.17.254.12/30", false));
    }

    /** What v0.16.1's parser accepts although v0.7.3's would not, or as v0.7.3's does. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("crdParserAccepts")
    void acceptsWhatMetalLbCrdParserAccepts(String rule, Consumer<BgpPeerPoolSpec> edit) {
        assertThat(validate(ReferenceLab.pool("lab", crd(edit)), List.of())).isEmpty();
    }

    static Stream<Arguments> crdParserAccepts() {
        return Stream.of(
                edit("validateBGPAdvPerPool lowestMask: a range aggregates to its widest CIDR (v0.7.3: /32 only)", s -> {
                    firstPool(s).addresses = List.of("172.17.254.10-172.17.254.20");
                    firstPool(s).advertisements = List.of(advertisement(30));
                }),
                edit("BGPAdvertisementsHaveCompatibleLocalPref: other aggregation length, other LOCAL_PREF", s -> {
                    firstPool(s).advertisements = List.of(advertisement(32), advertisement(24));
                    firstPool(s).advertisements.get(1).localPref = 100L;
                }),
                edit("validateDuplicate compares strings: 64512:100 and 64512:0100 differ", s ->
                        firstPool(s).advertisements = List.of(advertisement(32, "64512:100", "64512:0100"))));
    }

    private static Consumer<BgpPeerPoolSpec> crd(Consumer<BgpPeerPoolSpec> edit) {
        return s -> {
            s.metallb = new MetalLbTarget();
            s.metallb.version = "v0.16.1";
            edit.accept(s);
        };
    }

    /** Another valid BgpPeerPool that shares rt-01 and nothing else with the reference lab, then edited. */
    private static BgpPeerPool other(Consumer<BgpPeerPoolSpec> edit) {
        return ReferenceLab.pool("lab-2", s -> {
            firstPool(s).name = "other-space";
            firstPool(s).addresses = List.of("172.17.253.0/24");
            edit.accept(s);
        });
    }

    private static Consumer<BgpPeerPoolSpec> address(String address) {
        return s -> firstPool(s).addresses = List.of(address);
    }

    private static Consumer<BgpPeerPoolSpec> layer2() {
        return s -> firstPool(s).protocol = PoolProtocol.layer2;
    }

    private static Arguments edit(String description, Consumer<BgpPeerPoolSpec> edit) {
        return Arguments.of(description, edit);
    }

    private static Arguments rejected(String description, Consumer<BgpPeerPoolSpec> edit, String field, String reason, String inMessage) {
        return Arguments.of(description, edit, field, reason, inMessage);
    }
}
