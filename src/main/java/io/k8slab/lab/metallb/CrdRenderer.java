package io.k8slab.lab.metallb;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.PoolProtocol;

/**
 * The metallb.io custom resources that MetalLB v0.13.0 and later read instead of the ConfigMap, for a
 * {@link MetalLbModel}, in its order. Names are deterministic: BGPPeer {@code <bgppeerpool>-<peer>}, IPAddressPool
 * and L2Advertisement the pool's name, BGPAdvertisement {@code <pool>-<index>}. A bgp pool without advertisements
 * gets MetalLB v0.7.3's implicit one written out, because from v0.13 a pool without a BGPAdvertisement is not
 * announced at all. Named communities are resolved to {@code asn:value}, so no Community resource is needed. Every
 * resource carries {@link #OWNER_LABEL} and the operator's managed-by label.
 */
public final class CrdRenderer {

    /** The BgpPeerPool a resource was rendered from; lets the operator find and prune what it wrote. */
    public static final String OWNER_LABEL = "lab.k8slab.io/bgppeerpool";

    private static final String V1BETA1 = "metallb.io/v1beta1";
    private static final String V1BETA2 = "metallb.io/v1beta2";

    private CrdRenderer() {
    }

    public static List<GenericKubernetesResource> render(MetalLbModel model) {
        String namespace = model.target().namespace();
        List<GenericKubernetesResource> resources = new ArrayList<>();
        for (MetalLbModel.Peer peer : model.peers()) {
            resources.add(resource(namespace, peer.owner(), V1BETA2, "BGPPeer", bgpPeerName(peer.owner(), peer.name()),
                    bgpPeerSpec(peer.session())));
        }
        for (MetalLbModel.Pool pool : model.pools()) {
            Map<String, Object> poolSpec = new LinkedHashMap<>();
            poolSpec.put("addresses", pool.addresses());
            poolSpec.put("autoAssign", pool.autoAssign());
            poolSpec.put("avoidBuggyIPs", pool.avoidBuggyIPs());
            resources.add(resource(namespace, pool.owner(), V1BETA1, "IPAddressPool", pool.name(), poolSpec));
            if (pool.protocol() == PoolProtocol.layer2) {
                resources.add(resource(namespace, pool.owner(), V1BETA1, "L2Advertisement", pool.name(),
                        Map.of("ipAddressPools", List.of(pool.name()))));
                continue;
            }
            List<MetalLbModel.Advertisement> advertisements = pool.announced();
            for (int k = 0; k < advertisements.size(); k++) {
                resources.add(resource(namespace, pool.owner(), V1BETA1, "BGPAdvertisement", pool.name() + "-" + k,
                        bgpAdvertisementSpec(pool, advertisements.get(k))));
            }
        }
        return resources;
    }

    /**
     * The name of the BGPPeer that carries {@code peer} of the valid {@code pool} when {@code validPools} (which hold
     * it) are rendered together: MetalLB's ServiceBGPStatus names peers by it.
     */
    public static String bgpPeerName(List<BgpPeerPool> validPools, BgpPeerPool pool, BgpPeer peer) {
        return MetalLbModel.of(validPools).peer(MetalLbModel.Session.of(pool.getSpec(), peer))
                .map(declared -> bgpPeerName(declared.owner(), declared.name())).orElseGet(() -> bgpPeerName(pool, peer));
    }

    /** {@code <bgppeerpool>-<peer>}: the name of a BGPPeer the pool declares first. */
    public static String bgpPeerName(BgpPeerPool owner, BgpPeer peer) {
        return bgpPeerName(owner.getMetadata().getName(), peer.name);
    }

    private static String bgpPeerName(String owner, String peer) {
        return owner + "-" + peer;
    }

    private static Map<String, Object> bgpPeerSpec(MetalLbModel.Session peer) {
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

    private static Map<String, Object> bgpAdvertisementSpec(MetalLbModel.Pool pool, MetalLbModel.Advertisement advertisement) {
        List<String> communities = advertisement.resolvedCommunities();
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("ipAddressPools", List.of(pool.name()));
        spec.put("aggregationLength", advertisement.aggregationLength());
        spec.put("localPref", advertisement.localPref());
        spec.put("communities", communities.isEmpty() ? null : communities);
        return spec;
    }

    /** A namespaced resource in the target's MetalLB namespace; null spec fields are left out. */
    private static GenericKubernetesResource resource(String namespace, String owner, String apiVersion, String kind, String name,
            Map<String, Object> spec) {
        Map<String, Object> given = new LinkedHashMap<>(spec);
        given.values().removeIf(Objects::isNull);
        return new GenericKubernetesResourceBuilder().withApiVersion(apiVersion).withKind(kind)
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(OWNER_LABEL, owner)
                .addToLabels(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY).endMetadata()
                .withAdditionalProperties(Map.of("spec", given)).build();
    }
}
