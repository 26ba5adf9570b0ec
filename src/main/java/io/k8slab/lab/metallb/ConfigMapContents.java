package io.k8slab.lab.metallb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;

/**
 * The ConfigMap MetalLB v0.12 and older read, as the operator writes it: key {@code config} for MetalLB, and one
 * key {@code bgppeerpool.<name>} per BgpPeerPool holding the spec last accepted from it.
 *
 * <p>Keeping the accepted specs beside the config is what lets "bad input changes nothing" hold across pools and
 * restarts: an invalid update leaves that pool's last accepted spec in force, a new pool is validated against
 * what the others actually have in force, and the config is always rendered from accepted specs only. MetalLB
 * reads the {@code config} key alone and ignores the rest.
 */
public final class ConfigMapContents {

    public static final String CONFIG_KEY = "config";
    static final String SOURCE_PREFIX = "bgppeerpool.";

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private ConfigMapContents() {
    }

    /** The pools whose specs the ConfigMap holds, by name, each a BgpPeerPool carrying only name and spec. */
    public static Map<String, BgpPeerPool> accepted(ConfigMap live) {
        Map<String, BgpPeerPool> pools = new TreeMap<>();
        if (live == null || live.getData() == null) {
            return pools;
        }
        live.getData().forEach((key, json) -> {
            if (key.startsWith(SOURCE_PREFIX)) {
                BgpPeerPool pool = new BgpPeerPool();
                pool.setMetadata(new ObjectMetaBuilder().withName(key.substring(SOURCE_PREFIX.length())).build());
                pool.setSpec(read(json));
                pools.put(pool.getMetadata().getName(), pool);
            }
        });
        return pools;
    }

    /** The ConfigMap for these accepted pools: sources in name order, config rendered from them. Pure. */
    public static ConfigMap desired(ResolvedTarget target, Map<String, BgpPeerPool> accepted) {
        Map<String, String> data = new LinkedHashMap<>();
        List<BgpPeerPool> pools = List.copyOf(new TreeMap<>(accepted).values());
        data.put(CONFIG_KEY, ConfigMapRenderer.render(MetalLbModel.of(pools)));
        pools.forEach(pool -> data.put(SOURCE_PREFIX + pool.getMetadata().getName(), write(pool.getSpec())));
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(target.configMapName())
                .withNamespace(target.namespace())
                .addToLabels(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY)
                .endMetadata()
                .withData(data)
                .build();
    }

    /** Whether the live ConfigMap already holds exactly the desired data. */
    public static boolean inForce(ConfigMap live, ConfigMap desired) {
        return live != null && desired.getData().equals(live.getData());
    }

    /** Canonical JSON of a spec, so equal specs give equal text and a resync writes nothing. */
    static String write(BgpPeerPoolSpec spec) {
        try {
            return CANONICAL.writeValueAsString(spec);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BgpPeerPoolSpec read(String json) {
        try {
            return CANONICAL.readValue(json, BgpPeerPoolSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable accepted spec in the MetalLB ConfigMap", e);
        }
    }
}
