package io.k8slab.lab.metallb;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The MetalLB v0.7.3 ConfigMap (key {@code config}) of a {@link MetalLbModel}. Settings MetalLB defaults (peer-port,
 * hold-time, auto-assign, avoid-buggy-ips, aggregation-length, localpref) are written out, so a reader sees what
 * MetalLB will do; optional things (router-id, node-selectors, communities, bgp-advertisements) appear only when
 * given. Hold times are written in whole seconds, which is what MetalLB uses anyway.
 */
public final class ConfigMapRenderer {

    private ConfigMapRenderer() {
    }

    public static String render(MetalLbModel model) {
        List<ConfigFile.Peer> peers = model.peers().stream().map(peer -> peer(peer.session())).toList();
        List<ConfigFile.AddressPool> pools = model.pools().stream().map(ConfigMapRenderer::pool).toList();
        Map<String, String> communities = model.communities();
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

    private static ConfigFile.Peer peer(MetalLbModel.Session peer) {
        return new ConfigFile.Peer(peer.myASN(), peer.asn(), peer.address(), peer.port(), peer.holdTimeText(), peer.routerID(),
                peer.nodeSelector().isEmpty() ? null : List.of(new ConfigFile.NodeSelector(peer.nodeSelector(), null)), null);
    }

    private static ConfigFile.AddressPool pool(MetalLbModel.Pool pool) {
        List<ConfigFile.BgpAdvertisement> advertisements = pool.advertisements().stream()
                .map(ad -> new ConfigFile.BgpAdvertisement(ad.aggregationLength(), ad.localPref(), nullIfEmpty(ad.communities()))).toList();
        return new ConfigFile.AddressPool(pool.name(), pool.protocol().name(), pool.addresses(), pool.avoidBuggyIPs(), pool.autoAssign(),
                nullIfEmpty(advertisements));
    }

    /** MetalLB reads an absent key and an empty list alike; absent reads better. */
    private static <T> List<T> nullIfEmpty(List<T> items) {
        return items == null || items.isEmpty() ? null : items;
    }
}
