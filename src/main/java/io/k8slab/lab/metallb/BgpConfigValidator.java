package io.k8slab.lab.metallb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import io.k8slab.lab.api.v1alpha1.AddressPool;
import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;
import io.k8slab.lab.api.v1alpha1.LabNetworks;
import io.k8slab.lab.api.v1alpha1.PoolProtocol;
import io.k8slab.lab.kube.GoDurations;
import io.k8slab.lab.kube.Networks;
import io.k8slab.lab.kube.Networks.Range;
import io.k8slab.lab.kube.Violation;
import io.k8slab.lab.metallb.AddressBlocks.Cidr;

/**
 * Everything MetalLB v0.7.3's parser would reject in a BgpPeerPool, found before the operator writes a config that
 * MetalLB would refuse as a whole (one bad pool stops every pool), plus the lab's own rules for merging several
 * BgpPeerPools into one MetalLB:
 * <ul>
 * <li>peers are unique by address and port within a BgpPeerPool; across BgpPeerPools the same address and port must
 * mean the same session (equal ASNs, hold time, router ID and node selector after defaults). The renderers then
 * keep one; anything else would give MetalLB two sessions to one router with contradicting settings;</li>
 * <li>pool names and pool addresses are unique across all BgpPeerPools, and named communities and the MetalLB
 * target agree between them, since all of them end up in one configuration;</li>
 * <li>pools stay out of the cluster's pod, Service and node networks. A layer2 pool may share the node network:
 * layer2 answers ARP there, so that is where its addresses have to be;</li>
 * <li>a range must not start after it ends (MetalLB silently gives it no addresses), and a non-zero hold time
 * below 3s is rejected as written (MetalLB truncates to whole seconds first, turning 500ms into 0: no hold timer).</li>
 * </ul>
 * Fields are paths with names as keys ({@code spec.peers[rt-01].holdTime}); indexes where there is no name. The rules
 * of {@link MetalLbModel#parse}, judged on the model's values: its defaults, sessions and advertisements.
 */
final class BgpConfigValidator {

    /** Addresses something else already uses, reported with {@code reason} when a pool overlaps them. */
    private record Claim(Range range, String description, String reason, boolean layer2MayShare) {
    }

    private final BgpPeerPoolSpec spec;
    private final List<BgpPeerPool> others;
    /** The configuration format, which decides the parser whose rules apply: v0.7.3's, or also v0.13+'s. */
    private final MetalLbVersion.Mode mode;
    private final List<Violation> violations = new ArrayList<>();

    private BgpConfigValidator(BgpPeerPoolSpec spec, List<BgpPeerPool> others) {
        this.spec = spec;
        this.others = others;
        this.mode = MetalLbVersion.parse(spec.metallb == null ? null : spec.metallb.version).map(MetalLbVersion::mode)
                .orElse(MetalLbVersion.Mode.CONFIG_MAP);
    }

    /**
     * The violations of {@code pool}, judged against {@code otherValidPools} (a copy of {@code pool} itself among
     * them, as a cache may hold, is ignored) and, when known, the LabCluster's networks.
     */
    static List<Violation> validate(BgpPeerPool pool, List<BgpPeerPool> otherValidPools, Optional<LabNetworks> labNetworks) {
        if (pool.getSpec() == null) {
            return List.of(new Violation("spec", "MissingSpec", "a BgpPeerPool needs a spec"));
        }
        List<BgpPeerPool> others = otherValidPools.stream().filter(other -> !Objects.equals(name(other), name(pool))).toList();
        BgpConfigValidator validator = new BgpConfigValidator(pool.getSpec(), others);
        validator.checkTarget();
        validator.checkCommunities();
        validator.checkPeers();
        validator.checkPools(labNetworks);
        return validator.violations;
    }

    private void add(String field, String reason, String message) {
        violations.add(new Violation(field, reason, message));
    }

    private void checkTarget() {
        MetalLbVersion.check(spec.metallb == null ? null : spec.metallb.version).ifPresent(violations::add);
        ResolvedTarget mine = ResolvedTarget.of(spec.metallb);
        others.stream().filter(other -> !ResolvedTarget.of(other.getSpec().metallb).equals(mine)).findFirst()
                .ifPresent(other -> add("spec.metallb", "MetalLBTargetConflict", mine + " differs from "
                        + ResolvedTarget.of(other.getSpec().metallb) + " of BgpPeerPool '" + name(other)
                        + "'; all BgpPeerPools configure the same MetalLB"));
    }

    private void checkCommunities() {
        new TreeMap<>(orEmpty(spec.communities)).forEach((name, value) -> {
            String field = "spec.communities[" + name + "]";
            Optional<Long> community = MetalLbRules.community(value);
            if (community.isEmpty()) {
                add(field, "InvalidCommunity", "community " + name + " value '" + value + "' is not asn:value (two 16-bit numbers)");
                return;
            }
            for (BgpPeerPool other : others) {
                String theirs = orEmpty(other.getSpec().communities).get(name);
                if (theirs != null && !community.equals(MetalLbRules.community(theirs))) {
                    add(field, "CommunityConflict", "community " + name + " is " + value + " here but " + theirs + " in BgpPeerPool '"
                            + name(other) + "'; the merged MetalLB configuration has one bgp-communities map");
                }
            }
        });
    }

    private void checkPeers() {
        List<BgpPeer> peers = orEmpty(spec.peers);
        if (peers.isEmpty()) {
            add("spec.peers", "MissingPeers", "at least one peer is required");
        }
        boolean myAsnValid = checkAsn("spec.myASN", "my ASN", spec.myASN);
        Set<String> names = new HashSet<>();
        Map<String, String> peerByEndpoint = new HashMap<>();
        for (int i = 0; i < peers.size(); i++) {
            BgpPeer peer = peers.get(i);
            String key = key(peer.name, i);
            String field = "spec.peers[" + key + "]";
            int before = violations.size();
            if (!names.add(peer.name)) {
                add(field + ".name", "DuplicatePeerName", "peer name '" + peer.name + "' is used twice");
            }
            checkAsn(field + ".asn", "peer ASN", peer.asn);
            if (Networks.parseIPv4(peer.address).isEmpty()) {
                add(field + ".address", "InvalidPeerAddress", "peer address '" + peer.address + "' is not an IPv4 address");
            }
            int port = MetalLbModel.Session.port(peer);
            if (port < 1 || port > 65535) {
                add(field + ".port", "InvalidPort", "port " + port + " is not in 1-65535");
            }
            checkHoldTime(field + ".holdTime", peer.holdTime);
            checkRouterID(field + ".routerID", peer.routerID);
            new TreeMap<>(orEmpty(peer.nodeSelector)).forEach((label, value) -> MetalLbRules.labelKeyProblem(label)
                    .or(() -> MetalLbRules.labelValueProblem(value))
                    .ifPresent(problem -> add(field + ".nodeSelector[" + label + "]", "InvalidNodeSelector", problem)));
            String endpoint = MetalLbModel.Session.endpoint(peer.address, port);
            String previous = peerByEndpoint.putIfAbsent(endpoint, key);
            if (previous != null) {
                add(field + ".address", "DuplicatePeer", "peer " + endpoint + " is already declared as peer "
                        + previous + "; declare each router once");
            } else if (myAsnValid && violations.size() == before) {
                checkSamePeerElsewhere(field, MetalLbModel.Session.of(spec, peer));
            }
        }
    }

    private void checkSamePeerElsewhere(String field, MetalLbModel.Session mine) {
        for (BgpPeerPool other : others) {
            for (BgpPeer theirPeer : orEmpty(other.getSpec().peers)) {
                MetalLbModel.Session theirs = MetalLbModel.Session.of(other.getSpec(), theirPeer);
                if (theirs.endpoint().equals(mine.endpoint()) && !theirs.equals(mine)) {
                    add(field, "PeerConflict", "peer " + mine.endpoint() + " is also peer " + theirPeer.name + " of BgpPeerPool '"
                            + name(other) + "' with other settings (" + String.join(", ", mine.differences(theirs))
                            + "); the same router must be declared identically everywhere");
                }
            }
        }
    }

    /** Whether the ASN is usable; MetalLB reads 0 as missing, and ASNs are 32-bit. */
    private boolean checkAsn(String field, String what, Long asn) {
        if (asn == null) {
            add(field, "MissingASN", what + " is required");
            return false;
        }
        if (asn < 1 || asn > MetalLbRules.MAX_UINT32) {
            add(field, "InvalidASN", what + " " + asn + " is not in 1-" + MetalLbRules.MAX_UINT32);
            return false;
        }
        return true;
    }

    private void checkHoldTime(String field, String holdTime) {
        if (holdTime == null) {
            return;
        }
        Optional<Duration> duration = GoDurations.parse(holdTime);
        if (duration.isEmpty()) {
            add(field, "InvalidHoldTime", "hold time '" + holdTime + "' is not a Go duration such as 90s");
        } else if (!MetalLbRules.holdTimeAllowed(duration.get())) {
            add(field, "InvalidHoldTime", "hold time " + holdTime + " must be 0 or at least 3s");
        } else if (MetalLbRules.wholeSeconds(duration.get()).compareTo(MetalLbRules.MAX_HOLD_TIME) > 0) {
            // MetalLB v0.7.3 accepts it and sends it modulo 65536: 65536s would become 0, no hold timer.
            add(field, "InvalidHoldTime", "hold time " + holdTime + " is more than " + MetalLbRules.MAX_HOLD_TIME.getSeconds()
                    + "s, the most BGP's 16-bit hold time field holds");
        }
    }

    private void checkRouterID(String field, String routerID) {
        if (routerID == null) {
            return;
        }
        Optional<Long> address = Networks.parseIPv4(routerID);
        if (address.isEmpty()) {
            add(field, "InvalidRouterID", "router ID '" + routerID + "' is not an IPv4 address");
            return;
        }
        MetalLbRules.routerIDProblem(address.get()).ifPresent(problem -> add(field, "InvalidRouterID",
                "router ID " + routerID + " is " + problem + "; BGP needs a unicast host address (RFC 4271, 6.2)"));
    }

    private void checkPools(Optional<LabNetworks> labNetworks) {
        List<AddressPool> pools = orEmpty(spec.addressPools);
        if (pools.isEmpty()) {
            add("spec.addressPools", "MissingAddressPools", "at least one address pool is required");
        }
        List<Claim> claims = new ArrayList<>(clusterClaims(labNetworks));
        for (BgpPeerPool other : others) {
            for (AddressPool pool : orEmpty(other.getSpec().addressPools)) {
                orEmpty(pool.addresses).forEach(address -> Networks.parseCidrOrRange(address).ifPresent(range -> claims.add(new Claim(range,
                        address + " of pool " + pool.name + " in BgpPeerPool '" + name(other) + "'", "PoolOverlap", false))));
            }
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < pools.size(); i++) {
            AddressPool pool = pools.get(i);
            String field = "spec.addressPools[" + key(pool.name, i) + "]";
            checkPoolName(field + ".name", pool.name, names);
            MetalLbModel.Pool model = MetalLbModel.Pool.of(null, spec.communities, pool);
            checkAdvertisements(field, model, checkAddresses(field, model, claims));
        }
    }

    private static List<Claim> clusterClaims(Optional<LabNetworks> labNetworks) {
        List<Claim> claims = new ArrayList<>();
        labNetworks.ifPresent(networks -> {
            // Unparseable networks are the LabCluster's violations, reported there.
            Networks.parseCIDR(networks.podCIDR).ifPresent(range -> claims.add(new Claim(range,
                    "the pod network " + networks.podCIDR + " (LabCluster spec.networks.podCIDR)", "OverlapsClusterNetwork", false)));
            Networks.parseCIDR(networks.serviceCIDR).ifPresent(range -> claims.add(new Claim(range,
                    "the Service network " + networks.serviceCIDR + " (LabCluster spec.networks.serviceCIDR)", "OverlapsClusterNetwork", false)));
            Networks.parseCIDR(networks.nodeCIDR).ifPresent(range -> claims.add(new Claim(range,
                    "the node network " + networks.nodeCIDR + " (LabCluster spec.networks.nodeCIDR)", "OverlapsClusterNetwork", true)));
        });
        return claims;
    }

    private void checkPoolName(String field, String name, Set<String> names) {
        if (name == null || name.isEmpty()) {
            add(field, "MissingPoolName", "every address pool needs a name");
        } else if (!names.add(name)) {
            add(field, "DuplicatePoolName", "pool name '" + name + "' is used twice");
        } else {
            others.stream().filter(other -> orEmpty(other.getSpec().addressPools).stream().anyMatch(pool -> name.equals(pool.name)))
                    .findFirst().ifPresent(other -> add(field, "DuplicatePoolName", "pool name '" + name
                            + "' is already used by BgpPeerPool '" + name(other) + "'; pool names are unique across all BgpPeerPools"));
        }
    }

    /** Checks the addresses and claims them; returns each valid address with the CIDRs it splits into. */
    private Map<String, List<Cidr>> checkAddresses(String field, MetalLbModel.Pool pool, List<Claim> claims) {
        List<String> addresses = pool.addresses();
        if (addresses.isEmpty()) {
            add(field + ".addresses", "MissingAddresses", "pool " + pool.name() + " has no addresses");
        }
        boolean layer2 = pool.protocol() == PoolProtocol.layer2;
        Map<String, List<Cidr>> blocks = new LinkedHashMap<>();
        for (int j = 0; j < addresses.size(); j++) {
            String address = addresses.get(j);
            String addressField = field + ".addresses[" + j + "]";
            Optional<Range> range = Networks.parseCidrOrRange(address);
            if (range.isEmpty()) {
                add(addressField, "InvalidAddress", "'" + address + "' is neither an IPv4 CIDR nor a range a.b.c.d-e.f.g.h");
            } else if (range.get().first() > range.get().last()) {
                add(addressField, "ReversedRange", "range " + address + " starts after it ends; MetalLB would take no addresses from it");
            } else {
                claims.stream().filter(claim -> claim.range().overlaps(range.get()) && !(layer2 && claim.layer2MayShare()))
                        .forEach(claim -> add(addressField, claim.reason(), address + " overlaps " + claim.description()
                                + "; pools must not share addresses with each other or with the cluster's networks"));
                claims.add(new Claim(range.get(), address + " at " + addressField, "PoolOverlap", false));
                blocks.put(address, AddressBlocks.split(range.get()));
            }
        }
        return blocks;
    }

    private void checkAdvertisements(String field, MetalLbModel.Pool pool, Map<String, List<Cidr>> blocks) {
        List<MetalLbModel.Advertisement> advertisements = pool.advertisements();
        if (pool.protocol() == PoolProtocol.layer2) {
            if (!advertisements.isEmpty()) {
                add(field + ".advertisements", "AdvertisementsOnLayer2Pool", "layer2 pool " + pool.name()
                        + " has " + advertisements.size() + " BGP advertisement(s); only bgp pools are advertised over BGP");
            }
            return;
        }
        // The CIDR that bounds the aggregation length: v0.7.3 checks every CIDR of the pool, v0.13+ only each
        // address's widest (internal/config/config.go validateBGPAdvPerPool, lowestMask, at v0.16.1).
        Comparator<Cidr> byPrefix = Comparator.comparingInt(Cidr::prefixLength);
        Optional<Map.Entry<String, Cidr>> longestPrefix = blocks.entrySet().stream()
                .flatMap(entry -> (mode == MetalLbVersion.Mode.CRD ? entry.getValue().stream().min(byPrefix) : entry.getValue().stream().max(byPrefix))
                        .map(cidr -> Map.entry(entry.getKey(), cidr)).stream())
                .max(Comparator.comparing(Map.Entry::getValue, byPrefix));
        for (int k = 0; k < advertisements.size(); k++) {
            MetalLbModel.Advertisement advertisement = advertisements.get(k);
            String adField = field + ".advertisements[" + k + "]";
            int length = advertisement.aggregationLength();
            if (length < 0 || length > MetalLbModel.MAX_AGGREGATION_LENGTH) {
                add(adField + ".aggregationLength", "InvalidAggregationLength", "aggregation length " + length + " is not in 0-"
                        + MetalLbModel.MAX_AGGREGATION_LENGTH);
            } else if (longestPrefix.isPresent() && length < longestPrefix.get().getValue().prefixLength()) {
                Map.Entry<String, Cidr> entry = longestPrefix.get();
                add(adField + ".aggregationLength", "AggregationLengthTooShort", "aggregation length " + length
                        + " is shorter than the prefix of " + entry.getValue() + (entry.getKey().contains("-") ? " (from range " + entry.getKey() + ")" : "")
                        + (mode == MetalLbVersion.Mode.CRD ? "; it must be at least the prefix length of each address's widest CIDR"
                                : "; it must be at least the prefix length of every CIDR of the pool"));
            }
            if (advertisement.localPref() < 0 || advertisement.localPref() > MetalLbRules.MAX_UINT32) {
                add(adField + ".localPref", "InvalidLocalPref", "local preference " + advertisement.localPref() + " is not in 0-" + MetalLbRules.MAX_UINT32);
            }
            List<String> communities = advertisement.communities();
            for (int c = 0; c < communities.size(); c++) {
                String community = communities.get(c);
                if (!orEmpty(spec.communities).containsKey(community) && MetalLbRules.community(community).isEmpty()) {
                    add(adField + ".communities[" + c + "]", "InvalidCommunity", "community '" + community
                            + "' is neither asn:value (two 16-bit numbers) nor a name in spec.communities");
                }
            }
        }
        if (mode == MetalLbVersion.Mode.CRD) {
            CrdRules.advertisements(field, advertisements).forEach(violations::add);
        }
    }

    private static String name(BgpPeerPool pool) {
        return pool.getMetadata() == null ? null : pool.getMetadata().getName();
    }

    /** A list entry's key in a field path: its name, or its index when it has none. */
    private static String key(String name, int index) {
        return name == null || name.isEmpty() ? String.valueOf(index) : name;
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? Collections.emptyMap() : map;
    }
}
