package io.k8slab.lab.metallb.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.metallb.ResolvedTarget;
import io.k8slab.lab.metallb.ConfigMapContents;
import io.k8slab.lab.metallb.ConfigMapRenderer;
import io.k8slab.lab.metallb.NotOwnedException;
import io.k8slab.lab.metallb.Ownership;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.TestCluster;

/**
 * The ConfigMap is read from a cache that may be stale: against the real API server, a write made on a stale copy
 * meets a conflict and is decided again on what is there, so a foreign write is neither lost nor overwritten blind.
 */
class ConfigMapWriterApiTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    @Test
    void aStaleCopyMeetsTheConflictAndKeepsWhatWasWrittenMeanwhile() {
        ResolvedTarget target = target();
        BgpPeerPool first = pool("first", target, "172.31.1.0/24");
        BgpPeerPool second = pool("second", target, "172.31.2.0/24");
        new ConfigMapWriter(client, target, Optional.empty()).accept(first);
        ConfigMap stale = live(target);

        // Another writer (another pool's reconcile) puts its spec in after the cache's copy was taken.
        new ConfigMapWriter(client, target, Optional.of(stale)).accept(second);
        String afterSecond = live(target).getMetadata().getResourceVersion();

        BgpPeerPool firstChanged = pool("first", target, "172.31.3.0/24");
        var outcome = new ConfigMapWriter(client, target, Optional.of(stale)).accept(firstChanged);

        ConfigMap now = live(target);
        assertThat(now.getMetadata().getResourceVersion()).isNotEqualTo(afterSecond);
        assertThat(ConfigMapContents.accepted(now)).containsOnlyKeys("first", "second");
        assertThat(now.getData().get(ConfigMapContents.CONFIG_KEY)).contains("172.31.2.0/24", "172.31.3.0/24").doesNotContain("172.31.1.0/24");
        assertThat(outcome.writes()).hasSize(1);
        assertThat(outcome.hash()).isEqualTo(ConfigMapRenderer.hash(now.getData().get(ConfigMapContents.CONFIG_KEY)));
    }

    @Test
    void aStaleCopyOfWhatIsAlreadyInForceWritesNothing() {
        ResolvedTarget target = target();
        BgpPeerPool first = pool("first", target, "172.31.1.0/24");
        new ConfigMapWriter(client, target, Optional.empty()).accept(pool("first", target, "172.31.9.0/24"));
        ConfigMap stale = live(target);
        new ConfigMapWriter(client, target, Optional.of(stale)).accept(first);
        String inForce = live(target).getMetadata().getResourceVersion();

        // The cache still shows the old spec: the write meets the conflict, and the fresh read finds it in force.
        var outcome = new ConfigMapWriter(client, target, Optional.of(stale)).accept(first);

        assertThat(outcome.writes()).isEmpty();
        assertThat(live(target).getMetadata().getResourceVersion()).isEqualTo(inForce);
    }

    @Test
    void aConfigMapThatStoppedBeingOursSinceTheCopyIsNotWritten() {
        ResolvedTarget target = target();
        new ConfigMapWriter(client, target, Optional.empty()).accept(pool("first", target, "172.31.1.0/24"));
        ConfigMap stale = live(target);
        // A person takes the ConfigMap over: the operator's label goes, and so does its right to write.
        ConfigMap taken = new ConfigMapBuilder(live(target)).editMetadata().removeFromLabels(Ownership.MANAGED_BY_LABEL).endMetadata()
                .addToData("config", "peers: []\n").build();
        client.resource(taken).update();
        String theirs = live(target).getMetadata().getResourceVersion();

        assertThatThrownBy(() -> new ConfigMapWriter(client, target, Optional.of(stale))
                .accept(pool("first", target, "172.31.5.0/24"))).isInstanceOf(NotOwnedException.class);

        assertThat(live(target).getMetadata().getResourceVersion()).isEqualTo(theirs);
        assertThat(live(target).getData().get("config")).isEqualTo("peers: []\n");
    }

    private static ResolvedTarget target() {
        String namespace = "cm-conflicts-" + NAMESPACES.incrementAndGet();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).serverSideApply();
        return new ResolvedTarget("v0.7.3", namespace, "config", false);
    }

    private static BgpPeerPool pool(String name, ResolvedTarget target, String addresses) {
        return Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, name, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("version", target.version()).put("namespace", target.namespace())
                    .put("configMapName", target.configMapName()).put("install", false);
            ((ObjectNode) m.at("/spec/addressPools/0")).put("name", name + "-space").putArray("addresses").add(addresses);
        }), BgpPeerPool.class);
    }

    private static ConfigMap live(ResolvedTarget target) {
        return client.configMaps().inNamespace(target.namespace()).withName(target.configMapName()).get();
    }
}
