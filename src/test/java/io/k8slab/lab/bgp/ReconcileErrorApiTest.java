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
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.MetalLbCrds;
import io.k8slab.lab.testing.TestCluster;

/**
 * A phase that throws ends in a status condition, not in a bare retry loop: installing MetalLB into a namespace that
 * does not exist fails at the API server (404), which no phase expects. Ready turns False with reason ReconcileError
 * naming the phase and the API server's words; JOSDK keeps retrying, and the first good reconcile after the
 * namespace exists replaces it.
 */
class ReconcileErrorApiTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final String POOL = "reconcile-error";
    private static final String NAMESPACE = "mlb-error-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
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
        client.resources(BgpPeerPool.class).withName(POOL).withGracePeriod(0).delete();
        client.namespaces().withName(NAMESPACE).delete();
    }

    @Test
    void aFailedPhaseIsReadyFalseWithItsReasonUntilAGoodReconcile() {
        // With admin credentials (as `make run`): the operator may write the namespace's objects once it exists.
        operator = LocalOperator.withAdminCredentials(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(),
                BgpPeerPoolReconciler.ROUTER_REFRESH, NAMESPACE)));
        client.resource(Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, POOL, m -> {
            ((ObjectNode) m.at("/spec/metallb")).put("namespace", NAMESPACE).put("install", true);
            ((ObjectNode) m.at("/spec/peers/0")).remove("router");
        }), BgpPeerPool.class)).create();

        Condition failed = awaitReady(c -> BgpPeerPoolConditions.RECONCILE_ERROR.equals(c.getReason()));
        assertThat(failed.getStatus()).isEqualTo("False");
        assertThat(failed.getMessage()).startsWith("installing MetalLB failed: HTTP 404: ").contains(NAMESPACE)
                .doesNotContain("BEGIN").doesNotContain("\n");

        // Not watched by the operator: only JOSDK's retry finds the namespace.
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        Condition recovered = awaitReady(c -> !BgpPeerPoolConditions.RECONCILE_ERROR.equals(c.getReason()));
        assertThat(recovered.getMessage()).doesNotContain("failed");
        BgpPeerPool pool = client.resources(BgpPeerPool.class).withName(POOL).get();
        assertThat(pool.getStatus().observedGeneration).isEqualTo(pool.getMetadata().getGeneration());
        assertThat(Conditions.find(pool.getStatus().conditions, BgpPeerPoolConditions.METALLB_AVAILABLE)).isPresent();
        assertThat(client.apps().deployments().inNamespace(NAMESPACE).withName("controller").get()).as("installed by the retry").isNotNull();
    }

    private static Condition awaitReady(java.util.function.Predicate<Condition> wanted) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> {
            BgpPeerPool pool = client.resources(BgpPeerPool.class).withName(POOL).get();
            return pool == null || pool.getStatus() == null ? null
                    : Conditions.find(pool.getStatus().conditions, BgpPeerPoolConditions.READY).orElse(null);
        }, c -> c != null && wanted.test(c));
    }
}
