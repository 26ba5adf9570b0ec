package io.k8slab.lab.faults;

import static io.k8slab.lab.faults.FaultSupport.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterConditions;
import io.k8slab.lab.cluster.LabFixture;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.testing.PackagedOperator;

/**
 * The packaged operator is killed (SIGKILL) and started again: right after a BgpPeerPool update, while it is
 * writing MetalLB's ConfigMap, the ConfigMap ends exactly as the update renders without the fault; in the middle of
 * joins, the lab ends as the same lab does without the fault, with one token and one join per machine. Needs
 * target/quarkus-app (mvn package -DskipTests).
 */
class OperatorKillFaultIT {

    /** A Lease of this run's own, so no other operator (or an earlier run's dead one) holds it. */
    private static final String LEASE = FaultSupport.unique("faults-kill");
    /** JOSDK's default lease is 15 s: a killed leader's successor waits that out, then a retry period. */
    private static final Duration TAKEOVER = Duration.ofSeconds(60);
    private static final String POOL = "faults-kill";
    /** Long enough for a kill to land while kubeadm runs. */
    private static final Duration JOIN_TIME = Duration.ofSeconds(4);

    private static PackagedOperator operator;

    @AfterAll
    static void stop() {
        FaultSupport.cleanUp(operator, POOL, LEASE);
    }

    @Test
    void killedDuringAMetalLbWriteAndRestartedEndsAsWithoutTheFault() {
        String configMap = FaultSupport.configMapName("faults-kill");
        operator = start(0);
        client.resource(FaultSupport.pool(POOL, configMap, m -> {
        })).create();
        awaitInForce(configMap);

        int[] delaysMillis = {0, 40};
        for (int round = 0; round < delaysMillis.length; round++) {
            String patch = "{\"spec\":{\"addressPools\":[{\"name\":\"my-ip-space\",\"protocol\":\"bgp\",\"addresses\":[\"192.168." + (200 + round)
                    + ".0/24\"],\"autoAssign\":" + (round % 2 == 1) + ",\"avoidBuggyIPs\":true}]}}";
            long generation = client.resources(BgpPeerPool.class).withName(POOL).patch(PatchContext.of(PatchType.JSON_MERGE), patch)
                    .getMetadata().getGeneration();
            sleep(delaysMillis[round]);
            operator.kill();
            String atKill = FaultSupport.config(configMap);
            System.out.printf("faults: killed %d ms after the update to generation %d; ConfigMap then had the update: %s%n",
                    delaysMillis[round], generation, atKill != null && atKill.contains("192.168." + (200 + round)));

            operator = start(round + 1);
            awaitInForce(configMap);
            BgpPeerPool pool = FaultSupport.live(POOL);
            assertThat(pool.getMetadata().getGeneration()).isEqualTo(generation);
            assertThat(FaultSupport.config(configMap)).as("the ConfigMap without the fault")
                    .isEqualTo(FaultSupport.expectedConfig(pool)).contains("192.168." + (200 + round) + ".0/24");
            assertThat(FaultSupport.configMap(configMap).getData().keySet()).as("nothing half-written is left beside the config")
                    .hasSize(2).contains("config");
        }
    }

    @Test
    void killedDuringJoinsAndRestartedEndsAsWithoutTheFault() {
        if (operator == null) {
            operator = start(10);
        }
        // Both labs stay until the end: deleting one's Nodes while the operator runs would make it rejoin them.
        try (LabFixture calm = LabFixture.start("joins-calm", 40, 2); LabFixture lab = LabFixture.start("joins-killed", 41, 2)) {
            calm.machines.forEach(m -> m.kubeadm.joinTime = JOIN_TIME);
            calm.apply(calm.cluster(spec -> {
            }));
            awaitLabReady(calm);
            List<String> withoutFault = calm.outcome();

            long createsBefore = FaultSupport.tokenSecretCreates();
            lab.machines.forEach(m -> m.kubeadm.joinTime = JOIN_TIME);
            lab.apply(lab.cluster(spec -> {
            }));
            await().atMost(FaultSupport.WAIT).until(() -> lab.machines.stream()
                    .allMatch(m -> m.commands().stream().anyMatch(c -> c.startsWith("sudo kubeadm join"))));
            operator.kill(); // kubeadm carries on on the machines; the SSH sessions that watched it are gone
            System.out.printf("faults: killed with joins running; finished so far: %d of %d%n",
                    lab.machines.stream().filter(m -> !m.joins().isEmpty()).count(), lab.machines.size());

            operator = start(11);
            awaitLabReady(lab);
            assertThat(lab.outcome()).as("the lab as it ends without the fault").isEqualTo(withoutFault);
            assertThat(lab.machines).allSatisfy(m -> assertThat(m.joins()).as("kubeadm join runs on " + m.address()).hasSize(1));
            assertThat(lab.tokensIssued()).as("the restarted operator reused the token its predecessor issued").isEqualTo(1);
            assertThat(FaultSupport.tokenSecretCreates() - createsBefore).as("token Secrets created, by the audit log").isEqualTo(1);
        }
    }

    private static void awaitLabReady(LabFixture lab) {
        await().atMost(TAKEOVER).untilAsserted(() -> {
            LabCluster cluster = lab.get();
            assertThat(cluster.getStatus()).isNotNull();
            assertThat(cluster.getStatus().observedGeneration).isEqualTo(cluster.getMetadata().getGeneration());
            assertThat(Conditions.isTrue(cluster.getStatus().conditions, LabClusterConditions.READY)).isTrue();
            assertThat(lab.tokens()).as("the token goes when no join is pending").isEmpty();
        });
    }

    private static PackagedOperator start(int incarnation) {
        return FaultSupport.startOperator("faults-kill-" + incarnation, LEASE);
    }

    private static void awaitInForce(String configMap) {
        await().atMost(TAKEOVER).untilAsserted(() -> {
            BgpPeerPool pool = FaultSupport.live(POOL);
            assertThat(pool.getStatus()).isNotNull();
            assertThat(pool.getStatus().observedGeneration).isEqualTo(pool.getMetadata().getGeneration());
            assertThat(Conditions.isTrue(pool.getStatus().conditions, BgpPeerPoolConditions.CONFIG_APPLIED)).isTrue();
            assertThat(FaultSupport.config(configMap)).isEqualTo(FaultSupport.expectedConfig(pool));
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
