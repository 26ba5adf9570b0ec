package io.k8slab.lab.metallb;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.k8slab.lab.api.v1alpha1.AddressPool;
import io.k8slab.lab.api.v1alpha1.BgpAdvertisement;
import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;
import io.k8slab.lab.api.v1alpha1.PoolProtocol;

/**
 * The metallb.io custom resources that MetalLB v0.13.0 and later read instead of the ConfigMap, for the same valid
 * BgpPeerPools and in the same merge order as {@link ConfigMapRenderer}. Names are deterministic: BGPPeer
 * {@code <bgppeerpool>-<peer>}, IPAddressPool and L2Advertisement the pool's name, BGPAdvertisement
 * {@code <pool>-<index>}. A bgp pool without advertisements gets MetalLB v0.7.3's implicit one written out, because
 * from v0.13 a pool without a BGPAdvertisement is not announced at all. Named communities are resolved to
 * {@code asn:value}, so no Community resource is needed. Every resource carries {@link #OWNER_LABEL} and the
 * operator's managed-by label.
 */
public final class CrdRenderer {

    /** The BgpPeerPool a resource was rendered from; lets the operator find and prune what it wrote. */
    public static final String OWNER_LABEL = "lab.k8slab.io/bgppeerpool";

    private static final String V1BETA1 = "metallb.io/v1beta1";
    private static final String V1BETA2 = "metallb.io/v1beta2";

    private CrdRenderer() {
    }

    public static List<GenericKubernetesResource> render(List<BgpPeerPool> validPools) {
        Merged merged = Merged.of(validPools);
        List<GenericKubernetesResource> resources = new ArrayList<>();
        merged.peers().forEach((peer, declared) -> resources.add(resource(declared.owner(), V1BETA2, "BGPPeer",
                bgpPeerName(declared.owner(), declared.peer()), bgpPeerSpec(peer))));
        for (BgpPeerPool owner : merged.pools()) {
            for (AddressPool pool : owner.getSpec().addressPools) {
                Map<String, Object> poolSpec = new LinkedHashMap<>();
                poolSpec.put("addresses", pool.addresses);
                poolSpec.put("autoAssign", MetalLbRules.autoAssign(pool));
                poolSpec.put("avoidBuggyIPs", MetalLbRules.avoidBuggyIPs(pool));
                resources.add(resource(owner, V1BETA1, "IPAddressPool", pool.name, poolSpec));
                if (MetalLbRules.protocol(pool) == PoolProtocol.layer2) {
                    resources.add(resource(owner, V1BETA1, "L2Advertisement", pool.name, Map.of("ipAddressPools", List.of(pool.name))));
                    continue;
                }
                List<BgpAdvertisement> advertisements = MetalLbRules.advertisements(pool);
                for (int k = 0; k < advertisements.size(); k++) {
                    resources.add(resource(owner, V1BETA1, "BGPAdvertisement", pool.name + "-" + k,
                            bgpAdvertisementSpec(owner, pool, advertisements.get(k))));
                }
            }
        }
        return resources;
    }

    /**
     * The name of the BGPPeer that carries {@code peer} of the valid {@code pool} when {@code validPools} (which hold
     * it) are rendered together: MetalLB's ServiceBGPStatus names peers by it.
     */
    public static String bgpPeerName(List<BgpPeerPool> validPools, BgpPeerPool pool, BgpPeer peer) {
        Merged.Declared declared = Merged.of(validPools).peers().get(EffectivePeer.of(pool.getSpec(), peer));
        return declared == null ? bgpPeerName(pool, peer) : bgpPeerName(declared.owner(), declared.peer());
    }

    /** {@code <bgppeerpool>-<peer>}: the name of a BGPPeer the pool declares first. */
    public static String bgpPeerName(BgpPeerPool owner, BgpPeer peer) {
        return owner.getMetadata().getName() + "-" + peer.name;
    }

    private static Map<String, Object> bgpPeerSpec(EffectivePeer peer) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("myASN", peer.myASN());
        spec.put("peerASN", peer.asn());
        spec.put("peerAddress", peer.address());
        spec.put("peerPort", peer.port());
        spec.put("holdTime", peer.holdTimeText());
        spec.put("routerID", peer.routerID());
        spec.put("nodeSelectors", peer.nodeSelector().isEmpty() ? null : List.of(Map.of("matchLabels", peer.nodeSelector())));
        return spec;
    }

    /** The advertisement's communities as written: named ones resolved to their {@code asn:value}. */
    static List<String> communities(BgpPeerPoolSpec owner, BgpAdvertisement advertisement) {
        Map<String, String> named = owner.communities == null ? Map.of() : owner.communities;
        return advertisement.communities == null ? List.of()
                : advertisement.communities.stream().map(community -> named.getOrDefault(community, community)).toList();
    }

    private static Map<String, Object> bgpAdvertisementSpec(BgpPeerPool owner, AddressPool pool, BgpAdvertisement advertisement) {
        List<String> communities = communities(owner.getSpec(), advertisement);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("ipAddressPools", List.of(pool.name));
        spec.put("aggregationLength", MetalLbRules.aggregationLength(advertisement));
        spec.put("localPref", MetalLbRules.localPref(advertisement));
        spec.put("communities", communities.isEmpty() ? null : communities);
        return spec;
    }

    /** A namespaced resource in the owner's MetalLB namespace; null spec fields are left out. */
    private static GenericKubernetesResource resource(BgpPeerPool owner, String apiVersion, String kind, String name, Map<String, Object> spec) {
        Map<String, Object> given = new LinkedHashMap<>(spec);
        given.values().removeIf(Objects::isNull);
        return new GenericKubernetesResourceBuilder().withApiVersion(apiVersion).withKind(kind)
                .withNewMetadata().withName(name).withNamespace(ResolvedTarget.of(owner.getSpec().metallb).namespace())
                .addToLabels(OWNER_LABEL, owner.getMetadata().getName())
                .addToLabels(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY).endMetadata()
                .withAdditionalProperties(Map.of("spec", given)).build();
    }
}
