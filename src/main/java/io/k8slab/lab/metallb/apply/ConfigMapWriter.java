package io.k8slab.lab.metallb.apply;

import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.metallb.ResolvedTarget;
import io.k8slab.lab.metallb.ConfigMapContents;
import io.k8slab.lab.metallb.ConfigMapRenderer;
import io.k8slab.lab.metallb.NotOwnedException;
import io.k8slab.lab.metallb.Ownership;

/**
 * MetalLB v0.12 and older: one ConfigMap for all pools of a target, holding the accepted specs beside the rendered
 * config (see {@link ConfigMapContents}). Writes are updates locked to the resourceVersion read, so two pools
 * reconciled at once cannot drop each other's spec, and a foreign write is never overwritten blind: on a conflict
 * the ConfigMap is read again, the change made again on what is there now (ownership checked again), and written
 * again. A ConfigMap of that name the operator does not own ({@link Ownership}) is never written.
 *
 * <p>The ConfigMap is read from the informer's cache, which holds the ones the operator labelled; only when the
 * cache has none (not created yet, or someone else's, perhaps to adopt) is it read from the API server. A stale
 * cache costs one conflict and one read, never a lost write.
 *
 * <p>Not a JOSDK dependent resource, unlike CRD mode's resources ({@link CrdWriter}), each of which one pool owns: a
 * dependent's desired state comes from one primary, and this one object is merged from every BgpPeerPool of the
 * target (each pool's reconcile re-renders all of them) and must outlive any one pool.
 */
public final class ConfigMapWriter implements ConfigWriter {

    /** Writes tried on conflicts before the conflict is left to the reconcile's retry. */
    static final int WRITE_ATTEMPTS = 5;

    private final KubernetesClient client;
    private final ResolvedTarget target;
    private ConfigMap live;
    private Map<String, BgpPeerPool> accepted;

    /** Starts from {@code cached}, the informer's copy of the target's ConfigMap, or reads it when there is none. */
    public ConfigMapWriter(KubernetesClient client, ResolvedTarget target, Optional<ConfigMap> cached) {
        this.client = client;
        this.target = target;
        use(cached.orElseGet(this::read));
    }

    private ConfigMap read() {
        return client.configMaps().inNamespace(target.namespace()).withName(target.configMapName()).get();
    }

    private void use(ConfigMap configMap) {
        this.live = configMap;
        this.accepted = ConfigMapContents.accepted(configMap);
    }

    @Override
    public List<BgpPeerPool> othersInForce(BgpPeerPool pool) {
        return accepted.values().stream().filter(p -> !p.getMetadata().getName().equals(pool.getMetadata().getName())).toList();
    }

    @Override
    public Optional<BgpPeerPool> lastAccepted(BgpPeerPool pool) {
        return Optional.ofNullable(accepted.get(pool.getMetadata().getName()));
    }

    @Override
    public Outcome accept(BgpPeerPool pool) {
        return writeWith(pool, sources -> sources.put(pool.getMetadata().getName(), pool));
    }

    @Override
    public Outcome keep(BgpPeerPool pool) {
        return writeWith(pool, sources -> {
        });
    }

    @Override
    public Outcome remove(BgpPeerPool pool) {
        return writeWith(pool, sources -> sources.remove(pool.getMetadata().getName()));
    }

    private Outcome writeWith(BgpPeerPool pool, Consumer<Map<String, BgpPeerPool>> change) {
        for (int attempt = 1;; attempt++) {
            try {
                return tryWrite(pool, change);
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == WRITE_ATTEMPTS) {
                    throw e;
                }
                // Someone wrote since it was read (or it was created meanwhile): decide again on what is there now.
                use(read());
            }
        }
    }

    private Outcome tryWrite(BgpPeerPool pool, Consumer<Map<String, BgpPeerPool>> change) {
        Map<String, BgpPeerPool> sources = new java.util.TreeMap<>(accepted);
        change.accept(sources);
        ConfigMap desired = ConfigMapContents.desired(target, sources);
        String config = desired.getData().get(ConfigMapContents.CONFIG_KEY);
        List<Write> writes = new ArrayList<>();
        // Nothing accepted and nothing there: creating an empty config would change nothing MetalLB does.
        boolean nothingToSay = live == null && sources.isEmpty();
        if (!nothingToSay && !ConfigMapContents.inForce(live, desired)) {
            if (!Ownership.mayWrite(live)) {
                throw new NotOwnedException(List.of(Ownership.describe(live)));
            }
            writes.add(new Write(describe(desired), live != null && onlyConfigDiffers(live, desired)));
            if (live == null) {
                client.resource(desired).create();
            } else {
                // The data is the operator's; labels and annotations others put on the ConfigMap stay.
                desired.getMetadata().setLabels(merged(live.getMetadata().getLabels(), desired.getMetadata().getLabels()));
                desired.getMetadata().setAnnotations(live.getMetadata().getAnnotations());
                desired.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
                client.resource(desired).update();
            }
        }
        return new Outcome(writes, ConfigMapRenderer.hash(config), sources.containsKey(pool.getMetadata().getName()));
    }

    private static Map<String, String> merged(Map<String, String> live, Map<String, String> ours) {
        Map<String, String> labels = new java.util.LinkedHashMap<>(live == null ? Map.of() : live);
        labels.putAll(ours);
        return labels;
    }

    /** The accepted specs are as stored but the config is not: someone edited what MetalLB reads. */
    private static boolean onlyConfigDiffers(ConfigMap live, ConfigMap desired) {
        Map<String, String> liveSources = new java.util.HashMap<>(live.getData() == null ? Map.of() : live.getData());
        Map<String, String> desiredSources = new java.util.HashMap<>(desired.getData());
        liveSources.remove(ConfigMapContents.CONFIG_KEY);
        desiredSources.remove(ConfigMapContents.CONFIG_KEY);
        return liveSources.equals(desiredSources);
    }

    private String describe(ConfigMap desired) {
        String hash = ConfigMapRenderer.hash(desired.getData().get(ConfigMapContents.CONFIG_KEY));
        String verb = live == null ? "created" : "updated";
        return "ConfigMap " + target.namespace() + "/" + target.configMapName() + " " + verb + " (config sha256 "
                + hash.substring(0, 12) + ")";
    }
}
