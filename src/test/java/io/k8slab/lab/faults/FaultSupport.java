package io.k8slab.lab.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.join.BootstrapTokenIssuer;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.metallb.ConfigMapRenderer;
import io.k8slab.lab.metallb.MetalLbModel;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.PackagedOperator;
import io.k8slab.lab.testing.TestCluster;

/**
 * Shared bits of the fault tests: pools aimed at a MetalLB ConfigMap of their own (in MetalLB's namespace, the one
 * the operator may touch), and what they should render.
 */
final class FaultSupport {

    static final Duration WAIT = Duration.ofSeconds(40);
    static final KubernetesClient client = TestCluster.get().client();

    private FaultSupport() {
    }

    static final String METALLB_NAMESPACE = TestCluster.METALLB_NAMESPACE;

    /** A MetalLB ConfigMap name unique to the run, so nothing left from an earlier run interferes. */
    static String configMapName(String prefix) {
        return unique(prefix);
    }

    /** The example pool renamed, aimed at MetalLB v0.7.3's ConfigMap {@code configMap}, no install, no router to ask, then edited. */
    static ObjectNode poolManifest(String name, String configMap, Consumer<ObjectNode> edit) {
        return Manifests.variant(Manifests.BGP_PEER_POOL, name, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.7.3").put("namespace", METALLB_NAMESPACE).put("configMapName", configMap)
                    .put("install", false);
            ((ObjectNode) m.at("/spec/peers/0")).remove("router");
            edit.accept(m);
        });
    }

    static BgpPeerPool pool(String name, String configMap, Consumer<ObjectNode> edit) {
        return Manifests.toResource(poolManifest(name, configMap, edit), BgpPeerPool.class);
    }

    static BgpPeerPool live(String name) {
        return client.resources(BgpPeerPool.class).withName(name).get();
    }

    static ConfigMap configMap(String name) {
        return client.configMaps().inNamespace(METALLB_NAMESPACE).withName(name).get();
    }

    static String config(String configMap) {
        ConfigMap map = configMap(configMap);
        return map == null || map.getData() == null ? null : map.getData().get("config");
    }

    /** What the operator should have written for these pools alone, rendered from their live specs. */
    static String expectedConfig(BgpPeerPool... pools) {
        return ConfigMapRenderer.render(MetalLbModel.of(List.of(pools)));
    }

    static BgpPeerPool awaitCondition(String name, String type, String status) {
        return await().atMost(WAIT).until(() -> live(name), p -> p != null && p.getStatus() != null
                && p.getMetadata().getGeneration().equals(p.getStatus().observedGeneration)
                && Conditions.find(p.getStatus().conditions, type).map(c -> status.equals(c.getStatus())).orElse(false));
    }

    /** The pool is reconciled at its latest generation and the ConfigMap holds exactly what its live spec renders. */
    static void awaitInForce(String name, String configMap) {
        await().atMost(WAIT).untilAsserted(() -> {
            BgpPeerPool pool = live(name);
            assertThat(pool.getStatus()).isNotNull();
            assertThat(pool.getStatus().observedGeneration).as("observedGeneration").isEqualTo(pool.getMetadata().getGeneration());
            assertThat(Conditions.isTrue(pool.getStatus().conditions, io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.CONFIG_APPLIED)).isTrue();
            assertThat(config(configMap)).isEqualTo(expectedConfig(pool));
        });
    }

    /** Starts the packaged operator holding a Lease of the caller's own (no other run's operator holds it) and waits until it is ready. */
    static PackagedOperator startOperator(String name, String lease) {
        return startOperator(name, lease, Map.of());
    }

    /** As {@link #startOperator(String, String)}, with more {@code -D} settings. */
    static PackagedOperator startOperator(String name, String lease, Map<String, String> settings) {
        Map<String, String> properties = new java.util.HashMap<>(settings);
        properties.put("lab.leader-election.lease-name", lease);
        PackagedOperator started = PackagedOperator.start(name, properties);
        started.awaitReady(Duration.ofSeconds(60));
        return started;
    }

    /** A name unique to this run (a ConfigMap, a Lease), so nothing an earlier run left interferes. */
    static String unique(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }

    /**
     * Bootstrap token Secrets the operators under test have created so far, by the API server's audit log: the
     * server's own count, which a watch that missed events during an outage cannot undercount.
     */
    static long tokenSecretCreates() {
        return TestCluster.get().auditLog().writesBy(TestCluster.OPERATOR_USER_AGENT).stream()
                .filter(event -> "create".equals(event.path("verb").asText()))
                .filter(event -> "secrets".equals(event.path("objectRef").path("resource").asText()))
                .filter(event -> BootstrapTokenIssuer.NAMESPACE.equals(event.path("objectRef").path("namespace").asText()))
                .filter(event -> event.path("responseStatus").path("code").asInt() == 201)
                .count();
    }

    /** After a packaged-operator fault test: the operator killed, its pool and its Lease deleted. */
    static void cleanUp(PackagedOperator operator, String pool, String lease) {
        if (operator != null) {
            operator.kill();
        }
        deleteQuietly(() -> client.resources(BgpPeerPool.class).withName(pool).delete());
        deleteQuietly(() -> client.leases().inNamespace("lab-operator").withName(lease).delete());
    }

    static void deleteQuietly(Runnable delete) {
        try {
            delete.run();
        } catch (RuntimeException e) {
            // cleanup only
        }
    }
}
