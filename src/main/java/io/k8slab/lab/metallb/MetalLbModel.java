package io.k8slab.lab.metallb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.Service;
import io.k8slab.lab.api.v1alpha1.AddressPool;
import io.k8slab.lab.api.v1alpha1.BgpAdvertisement;
import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;
import io.k8slab.lab.api.v1alpha1.LabNetworks;
import io.k8slab.lab.api.v1alpha1.PoolProtocol;
import io.k8slab.lab.kube.GoDurations;
import io.k8slab.lab.kube.Networks;
import io.k8slab.lab.kube.Networks.Range;
import io.k8slab.lab.kube.Violation;

/**
 * The one MetalLB configuration that the BgpPeerPools of a target make, as MetalLB will run it: the schema's
 * defaults applied (written here once, from the constants the API types' {@code @Default}s use), peers that would
 * open the same session merged into one, named communities collected. Like MetalLB's own {@code internal/config}
 * ({@code Parse} at v0.7.3, {@code For} at v0.16.1), one pure function, {@link #parse}, turns the pools and the
 * cluster facts into this model or into the violations that stop it; {@link ConfigMapRenderer} and
 * {@link CrdRenderer} write the model, and the routes a router should hold are computed from its {@link Pool}s.
 *
 * <p>The order is fixed (BgpPeerPools by name, items in spec order) so that the same pools always render the same
 * bytes, whatever order the cache lists them in; of peers that open the same session, the first BgpPeerPool's
 * declaration is kept.
 *
 * @param target the MetalLB the pools configure (the first pool's; {@link #parse} makes sure they agree)
 * @param peers one per session, in merge order
 * @param pools every address pool, in merge order
 * @param communities every named community; {@link #parse} makes sure equal names carry equal values
 */
public record MetalLbModel(ResolvedTarget target, List<Peer> peers, List<Pool> pools, SortedMap<String, String> communities) {

    public static final int DEFAULT_PEER_PORT = Integer.parseInt(BgpPeer.DEFAULT_PORT);
    public static final Duration DEFAULT_HOLD_TIME = GoDurations.parse(BgpPeer.DEFAULT_HOLD_TIME).orElseThrow();
    public static final int DEFAULT_AGGREGATION_LENGTH = Integer.parseInt(BgpAdvertisement.DEFAULT_AGGREGATION_LENGTH);
    public static final int MAX_AGGREGATION_LENGTH = BgpAdvertisement.MAX_AGGREGATION_LENGTH;
    /** MetalLB's, which the schema leaves unset: LOCAL_PREF is sent to iBGP peers only. */
    public static final long DEFAULT_LOCAL_PREF = 0;
    private static final PoolProtocol DEFAULT_PROTOCOL = PoolProtocol.valueOf(AddressPool.DEFAULT_PROTOCOL);
    private static final boolean DEFAULT_AUTO_ASSIGN = Boolean.parseBoolean(AddressPool.DEFAULT_AUTO_ASSIGN);
    private static final boolean DEFAULT_AVOID_BUGGY_IPS = Boolean.parseBoolean(AddressPool.DEFAULT_AVOID_BUGGY_IPS);

    /**
     * What {@link #parse} reads besides the pools.
     *
     * @param labNetworks the LabCluster's networks, which pools must stay out of; empty when there is no LabCluster
     * @param lastAccepted the candidate's spec MetalLB runs now, when the configuration keeps a copy (see
     *        {@link AssignedAddresses}); empty when none was accepted
     * @param services the cluster's Services: LoadBalancer ones with ingress IPs are MetalLB's assignments
     */
    public record Facts(Optional<LabNetworks> labNetworks, Optional<BgpPeerPool> lastAccepted, List<Service> services) {
    }

    /** Either the model of the pools with the candidate's spec in force, or, when empty, why the candidate cannot join. */
    public record Parsed(Optional<MetalLbModel> model, List<Violation> violations) {
    }

    /**
     * A BGP session as MetalLB opens it: defaults applied, the hold time in whole seconds, the selector sorted. Two
     * peers with equal sessions are one router, which is why the model keeps one of them and why the validator
     * calls any other difference between peers on the same address and port a conflict.
     */
    public record Session(long myASN, long asn, String address, int port, Duration holdTime, String routerID,
            SortedMap<String, String> nodeSelector) {

        /** The session of a peer of a spec that passed validation (ASNs present, hold time parseable). */
        static Session of(BgpPeerPoolSpec spec, BgpPeer peer) {
            Duration holdTime = peer.holdTime == null ? DEFAULT_HOLD_TIME
                    : MetalLbRules.wholeSeconds(GoDurations.parse(peer.holdTime).orElseThrow());
            return new Session(spec.myASN, peer.asn, peer.address, port(peer), holdTime, peer.routerID,
                    peer.nodeSelector == null ? new TreeMap<>() : new TreeMap<>(peer.nodeSelector));
        }

        static int port(BgpPeer peer) {
            return peer.port == null ? DEFAULT_PEER_PORT : peer.port;
        }

        /** Where the sessions go: what makes two peers the same router. */
        String endpoint() {
            return endpoint(address, port);
        }

        static String endpoint(String address, int port) {
            return address + ":" + port;
        }

        /** The hold time as a Go duration, as MetalLB reads it. */
        String holdTimeText() {
            return holdTime.getSeconds() + "s";
        }

        /** The settings in which this session differs from {@code other}, each as "name this vs other". */
        List<String> differences(Session other) {
            Map<String, Object> mine = settings();
            Map<String, Object> theirs = other.settings();
            return mine.keySet().stream().filter(key -> !Objects.equals(mine.get(key), theirs.get(key)))
                    .map(key -> key + " " + mine.get(key) + " vs " + theirs.get(key)).toList();
        }

        private Map<String, Object> settings() {
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("myASN", myASN);
            settings.put("asn", asn);
            settings.put("holdTime", holdTimeText());
            settings.put("routerID", routerID);
            settings.put("nodeSelector", nodeSelector);
            return settings;
        }
    }

    /** A session and the peer that declares it: {@code name} in the BgpPeerPool {@code owner}. */
    public record Peer(String owner, String name, Session session) {
    }

    /**
     * An address pool with the schema's defaults applied. Built from any spec, valid or not (the routes a router
     * should hold are computed for invalid pools too): addresses stay as written.
     *
     * @param owner the BgpPeerPool that declares it; null where that does not matter
     * @param advertisements as given, possibly none (see {@link #announced})
     */
    public record Pool(String owner, String name, PoolProtocol protocol, List<String> addresses, boolean autoAssign,
            boolean avoidBuggyIPs, List<Advertisement> advertisements) {

        /** {@code pool} of a BgpPeerPool whose named communities are {@code communities} (null for none). */
        public static Pool of(String owner, Map<String, String> communities, AddressPool pool) {
            Map<String, String> named = communities == null ? Map.of() : communities;
            return new Pool(owner, pool.name, pool.protocol == null ? DEFAULT_PROTOCOL : pool.protocol,
                    orEmpty(pool.addresses), pool.autoAssign == null ? DEFAULT_AUTO_ASSIGN : pool.autoAssign,
                    pool.avoidBuggyIPs == null ? DEFAULT_AVOID_BUGGY_IPS : pool.avoidBuggyIPs,
                    orEmpty(pool.advertisements).stream().map(ad -> Advertisement.of(named, ad)).toList());
        }

        /** {@code pool} where its owner and named communities do not matter. */
        public static Pool of(AddressPool pool) {
            return of(null, null, pool);
        }

        /** The addresses that read as a CIDR or range, as written: a reversed range holds no address. */
        public List<Range> ranges() {
            return addresses.stream().map(Networks::parseCidrOrRange).flatMap(Optional::stream).toList();
        }

        /** What MetalLB announces a bgp pool with: its advertisements, or the implicit one (each address as a /32). */
        public List<Advertisement> announced() {
            return advertisements.isEmpty() ? List.of(Advertisement.of(Map.of(), new BgpAdvertisement())) : advertisements;
        }
    }

    /**
     * One way of announcing a pool's addresses, defaults applied.
     *
     * @param communities as written: {@code asn:value} or names of the owner's communities
     * @param resolvedCommunities the same with the owner's names resolved to their {@code asn:value}
     */
    public record Advertisement(int aggregationLength, long localPref, List<String> communities, List<String> resolvedCommunities) {

        static Advertisement of(Map<String, String> named, BgpAdvertisement advertisement) {
            List<String> communities = orEmpty(advertisement.communities);
            return new Advertisement(advertisement.aggregationLength == null ? DEFAULT_AGGREGATION_LENGTH : advertisement.aggregationLength,
                    advertisement.localPref == null ? DEFAULT_LOCAL_PREF : advertisement.localPref, communities,
                    communities.stream().map(community -> named.getOrDefault(community, community)).toList());
        }
    }

    /**
     * The model with {@code candidate}'s spec in force beside {@code inForce} (the other pools of its target whose
     * specs MetalLB runs; a copy of the candidate among them is replaced), or the candidate's violations: MetalLB's
     * parser's rules and the lab's ({@link BgpConfigValidator}), then the addresses the new spec would take from
     * Services ({@link AssignedAddresses}). Pure.
     */
    public static Parsed parse(BgpPeerPool candidate, List<BgpPeerPool> inForce, Facts facts) {
        List<Violation> violations = new ArrayList<>(BgpConfigValidator.validate(candidate, inForce, facts.labNetworks()));
        violations.addAll(AssignedAddresses.check(candidate, facts.lastAccepted(), inForce, facts.services()));
        if (!violations.isEmpty()) {
            return new Parsed(Optional.empty(), List.copyOf(violations));
        }
        List<BgpPeerPool> pools = new ArrayList<>(inForce.stream()
                .filter(other -> !Objects.equals(other.getMetadata().getName(), candidate.getMetadata().getName())).toList());
        pools.add(candidate);
        return new Parsed(Optional.of(of(pools)), List.of());
    }

    /**
     * The model of pools whose specs were each accepted by {@link #parse} (as the ConfigMap keeps them, or as the
     * pools found valid are): nothing is checked again.
     */
    public static MetalLbModel of(List<BgpPeerPool> accepted) {
        List<BgpPeerPool> ordered = accepted.stream().sorted(Comparator.comparing(pool -> pool.getMetadata().getName())).toList();
        Map<Session, Peer> peers = new LinkedHashMap<>();
        List<Pool> pools = new ArrayList<>();
        SortedMap<String, String> communities = new TreeMap<>();
        for (BgpPeerPool owner : ordered) {
            String name = owner.getMetadata().getName();
            BgpPeerPoolSpec spec = owner.getSpec();
            for (BgpPeer peer : spec.peers) {
                Session session = Session.of(spec, peer);
                peers.putIfAbsent(session, new Peer(name, peer.name, session));
            }
            spec.addressPools.forEach(pool -> pools.add(Pool.of(name, spec.communities, pool)));
            if (spec.communities != null) {
                communities.putAll(spec.communities);
            }
        }
        ResolvedTarget target = ResolvedTarget.of(ordered.isEmpty() ? null : ordered.get(0).getSpec().metallb);
        return new MetalLbModel(target, List.copyOf(peers.values()), List.copyOf(pools), Collections.unmodifiableSortedMap(communities));
    }

    /** The peer that declares {@code session} in this model, if any. */
    public Optional<Peer> peer(Session session) {
        return peers.stream().filter(peer -> peer.session().equals(session)).findFirst();
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : Collections.unmodifiableList(list);
    }
}
