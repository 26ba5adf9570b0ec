package io.k8slab.lab.bgp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.MetalLbCrds;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.TestCluster;

/**
 * A BgpPeerPool with {@code install: false} aimed at a MetalLB namespace that does not exist: a condition naming
 * it and one Warning Event, no exception loop, and the configuration (MetalLB v0.16.1's resources, the example's
 * release) written once the namespace is created.
 */
class MissingMetalLbNamespaceApiTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final String POOL = "missing-namespace";
    private static LocalOperator operator;

    @BeforeAll
    static void installMetalLbCrds() {
        MetalLbCrds.install();
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        client.resources(BgpPeerPool.class).withName(POOL).delete();
    }

    @Test
    void aMissingNamespaceIsAConditionAndTheConfigIsWrittenOnceItExists() {
        String namespace = "mlb-missing-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        // The operator's MetalLB namespace (lab.metallb.namespace) is one nobody has created yet. With deploy/operator's
        // RBAC (a Role in that namespace) the operator could not even watch it; `make run` runs as the developer.
        operator = LocalOperator.withAdminCredentials(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(), BgpPeerPoolReconciler.ROUTER_REFRESH, namespace)));
        client.resource(Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, POOL, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("namespace", namespace).put("install", false);
            ((ObjectNode) m.at("/spec/peers/0")).remove("router");
        }), BgpPeerPool.class)).create();

        Condition applied = awaitConfigApplied("False");
        assertThat(applied.getReason()).isEqualTo(ConfigWriteFailure.NAMESPACE_NOT_FOUND);
        assertThat(applied.getMessage()).contains("namespace " + namespace + " (spec.metallb.namespace) does not exist");
        BgpPeerPool pool = client.resources(BgpPeerPool.class).withName(POOL).get();
        assertThat(Conditions.find(pool.getStatus().conditions, BgpPeerPoolConditions.READY).orElseThrow().getReason()).isEqualTo("ConfigApplied");

        // Rechecked meanwhile (every 10 s) without a second Event for the same problem.
        await().pollDelay(ConfigWritePhase.WRITE_RECHECK.plusSeconds(2)).atMost(Duration.ofSeconds(30)).until(() -> true);
        assertThat(warnings()).as("one Warning Event, not one per recheck").hasSize(1).first()
                .satisfies(e -> assertThat(e.getMessage()).contains(namespace));

        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
        assertThat(awaitConfigApplied("True").getReason()).isEqualTo("Applied");
        assertThat(client.genericKubernetesResources("metallb.io/v1beta1", "IPAddressPool").inNamespace(namespace).withName("my-ip-space").get())
                .isNotNull();
        assertThat(warnings()).hasSize(1);
    }

    private static Condition awaitConfigApplied(String status) {
        return await().atMost(Duration.ofSeconds(40)).until(() -> {
            BgpPeerPool pool = client.resources(BgpPeerPool.class).withName(POOL).get();
            return pool == null || pool.getStatus() == null ? null
                    : Conditions.find(pool.getStatus().conditions, BgpPeerPoolConditions.CONFIG_APPLIED).orElse(null);
        }, c -> c != null && status.equals(c.getStatus()));
    }

    private static List<Event> warnings() {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "BgpPeerPool".equals(e.getInvolvedObject().getKind()) && POOL.equals(e.getInvolvedObject().getName()))
                .filter(e -> ConfigWriteFailure.NAMESPACE_NOT_FOUND.equals(e.getReason()))
                .toList();
    }
}
