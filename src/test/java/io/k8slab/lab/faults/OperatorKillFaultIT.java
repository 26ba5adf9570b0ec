package io.k8slab.lab.faults;

import static io.k8slab.lab.faults.FaultSupport.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.k8slab.lab.bgp.BgpPeerPool;
import io.k8slab.lab.bgp.BgpPeerPoolReconciler;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.testing.PackagedOperator;

/**
 * The packaged operator is killed (SIGKILL) right after a BgpPeerPool update, while it is reconciling it and
 * writing MetalLB's ConfigMap, and started again: the ConfigMap ends exactly as the update renders without the
 * fault. Needs target/quarkus-app (mvn package -DskipTests).
 */
class OperatorKillFaultIT {

    /** A Lease of this run's own, so no other operator (or an earlier run's dead one) holds it. */
    private static final String LEASE = "faults-kill-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    /** JOSDK's default lease is 15 s: a killed leader's successor waits that out, then a retry period. */
    private static final Duration TAKEOVER = Duration.ofSeconds(60);
    private static final String POOL = "faults-kill";

    private static PackagedOperator operator;

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.kill();
        }
        FaultSupport.deleteQuietly(() -> client.resources(BgpPeerPool.class).withName(POOL).delete());
        FaultSupport.deleteQuietly(() -> client.leases().inNamespace("lab-operator").withName(LEASE).delete());
    }

    @Test
    void killedDuringAMetalLbWriteAndRestartedEndsAsWithoutTheFault() {
        String namespace = FaultSupport.namespace("faults-kill");
        operator = start(0);
        client.resource(FaultSupport.pool(POOL, namespace, m -> {
        })).create();
        awaitInForce(namespace);

        int[] delaysMillis = {0, 40};
        for (int round = 0; round < delaysMillis.length; round++) {
            String patch = "{\"spec\":{\"addressPools\":[{\"name\":\"my-ip-space\",\"protocol\":\"bgp\",\"addresses\":[\"192.168." + (200 + round)
                    + ".0/24\"],\"autoAssign\":" + (round % 2 == 1) + ",\"avoidBuggyIPs\":true}]}}";
            long generation = client.resources(BgpPeerPool.class).withName(POOL).patch(PatchContext.of(PatchType.JSON_MERGE), patch)
                    .getMetadata().getGeneration();
            sleep(delaysMillis[round]);
            operator.kill();
            String atKill = FaultSupport.config(namespace);
            System.out.printf("faults: killed %d ms after the update to generation %d; ConfigMap then had the update: %s%n",
                    delaysMillis[round], generation, atKill != null && atKill.contains("192.168." + (200 + round)));

            operator = start(round + 1);
            awaitInForce(namespace);
            BgpPeerPool pool = FaultSupport.live(POOL);
            assertThat(pool.getMetadata().getGeneration()).isEqualTo(generation);
            assertThat(FaultSupport.config(namespace)).as("the ConfigMap without the fault")
                    .isEqualTo(FaultSupport.expectedConfig(pool)).contains("192.168." + (200 + round) + ".0/24");
            assertThat(FaultSupport.configMap(namespace).getData().keySet()).as("nothing half-written is left beside the config")
                    .hasSize(2).contains("config");
        }
    }

    private static PackagedOperator start(int incarnation) {
        PackagedOperator started = PackagedOperator.start("faults-kill-" + incarnation, Map.of("lab.leader-election.lease-name", LEASE));
        started.awaitReady(Duration.ofSeconds(60));
        return started;
    }

    private static void awaitInForce(String namespace) {
        await().atMost(TAKEOVER).untilAsserted(() -> {
            BgpPeerPool pool = FaultSupport.live(POOL);
            assertThat(pool.getStatus()).isNotNull();
            assertThat(pool.getStatus().observedGeneration).isEqualTo(pool.getMetadata().getGeneration());
            assertThat(Conditions.isTrue(pool.getStatus().conditions, BgpPeerPoolReconciler.CONFIG_APPLIED)).isTrue();
            assertThat(FaultSupport.config(namespace)).isEqualTo(FaultSupport.expectedConfig(pool));
        });
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
