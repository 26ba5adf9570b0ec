package io.k8slab.lab.metallb;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.k8slab.lab.api.v1alpha1.AddressPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;

/**
 * The MetalLB v0.7.3 ConfigMap (key {@code config}) for a set of valid BgpPeerPools, merged as {@link Merged}
 * describes. Settings MetalLB defaults (peer-port, hold-time, auto-assign, avoid-buggy-ips, aggregation-length,
 * localpref) are written out, so a reader sees what MetalLB will do; optional things (router-id, node-selectors,
 * communities, bgp-advertisements) appear only when given. Hold times are written in whole seconds, which is what
 * MetalLB uses anyway.
 */
public final class ConfigMapRenderer {

    private ConfigMapRenderer() {
    }

    public static String render(List<BgpPeerPool> validPools) {
        Merged merged = Merged.of(validPools);
        List<ConfigFile.Peer> peers = merged.peers().keySet().stream().map(ConfigMapRenderer::peer).toList();
        List<ConfigFile.AddressPool> pools = merged.pools().stream()
                .flatMap(owner -> owner.getSpec().addressPools.stream()).map(ConfigMapRenderer::pool).toList();
        Map<String, String> communities = merged.communities();
        return new ConfigFile(nullIfEmpty(peers), communities.isEmpty() ? null : communities, nullIfEmpty(pools)).write();
    }

    /** SHA-256 of the rendered config, lower-case hex: what the status reports and what tells a change. */
    public static String hash(String rendered) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rendered.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static ConfigFile.Peer peer(EffectivePeer peer) {
        return new ConfigFile.Peer(peer.myASN(), peer.asn(), peer.address(), peer.port(), peer.holdTimeText(), peer.routerID(),
                peer.nodeSelector().isEmpty() ? null : List.of(new ConfigFile.NodeSelector(peer.nodeSelector(), null)), null);
    }

    private static ConfigFile.AddressPool pool(AddressPool pool) {
        List<ConfigFile.BgpAdvertisement> advertisements = pool.advertisements == null ? null
                : pool.advertisements.stream().map(ad -> new ConfigFile.BgpAdvertisement(MetalLbRules.aggregationLength(ad),
                        MetalLbRules.localPref(ad), nullIfEmpty(ad.communities))).toList();
        return new ConfigFile.AddressPool(pool.name, MetalLbRules.protocol(pool).name(), pool.addresses,
                MetalLbRules.avoidBuggyIPs(pool), MetalLbRules.autoAssign(pool), nullIfEmpty(advertisements));
    }

    /** MetalLB reads an absent key and an empty list alike; absent reads better. */
    private static <T> List<T> nullIfEmpty(List<T> items) {
        return items == null || items.isEmpty() ? null : items;
    }
}
