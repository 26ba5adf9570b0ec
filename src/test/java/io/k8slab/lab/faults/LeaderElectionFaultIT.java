package io.k8slab.lab.faults;

import static io.k8slab.lab.faults.FaultSupport.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.testing.PackagedOperator;
import io.k8slab.lab.testing.TestCluster;

/**
 * Two replicas of the packaged operator with leader election, each with a HOSTNAME of its own (its identity, as a
 * pod's name is in a cluster): only the Lease holder reconciles and writes MetalLB's ConfigMap; killing it hands
 * the Lease and the work to the other replica within the lease time.
 */
class LeaderElectionFaultIT {

    private static final String LEASE = FaultSupport.unique("faults-leader");
    private static final String POOL = "faults-leader";
    private static final String FIRST = "faults-replica-a";
    private static final String SECOND = "faults-replica-b";
    /** JOSDK's defaults: a 15 s lease, retried every 2 s; a little slack for two JVMs on two cores. */
    private static final Duration LEASE_TIME = Duration.ofSeconds(15 + 2 + 5);

    private static PackagedOperator first;
    private static PackagedOperator second;

    @AfterAll
    static void stop() {
        for (PackagedOperator replica : new PackagedOperator[] {first, second}) {
            if (replica != null) {
                replica.kill(); // a graceful stop of a follower can wait out the Lease; nothing to keep here
            }
        }
        FaultSupport.deleteQuietly(() -> client.resources(BgpPeerPool.class).withName(POOL).delete());
        FaultSupport.deleteQuietly(() -> client.leases().inNamespace("lab-operator").withName(LEASE).delete());
    }

    @Test
    void onlyTheLeaderWritesAndKillingItHandsOverWithinTheLeaseTime() throws IOException {
        String configMap = FaultSupport.configMapName("faults-leader");
        first = replica(FIRST);
        first.awaitReady(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30)).until(() -> FIRST.equals(holder()));
        second = replica(SECOND);
        // The follower is up (its HTTP server answers only once the JVM runs) but does not lead.
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(second.log()) && Files.readString(second.log()).contains("Quarkus"));
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(holder()).isEqualTo(FIRST);

        client.resource(FaultSupport.pool(POOL, configMap, m -> {
        })).create();
        FaultSupport.awaitInForce(POOL, configMap);
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(configMapWrites(configMap)).as("one ConfigMap create, by one replica: no second writer raced it")
                .extracting(w -> w.path("verb").asText() + " " + w.path("responseStatus").path("code").asInt())
                .containsExactly("create 201");
        assertThat(applied(first)).as("the leader reconciled the pool").isTrue();
        assertThat(applied(second)).as("the follower did not").isFalse();

        Instant killed = Instant.now();
        first.kill();
        await().atMost(LEASE_TIME).pollInterval(Duration.ofMillis(200)).until(() -> SECOND.equals(holder()));
        Duration takeover = Duration.between(killed, Instant.now());
        System.out.println("faults: the follower took the Lease " + takeover.toMillis() + " ms after the leader was killed");
        assertThat(takeover).isLessThanOrEqualTo(LEASE_TIME);

        client.resources(BgpPeerPool.class).withName(POOL).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"addressPools\":[{\"name\":\"my-ip-space\",\"protocol\":\"bgp\",\"addresses\":[\"192.168.77.0/24\"]}]}}");
        FaultSupport.awaitInForce(POOL, configMap);
        assertThat(FaultSupport.config(configMap)).contains("192.168.77.0/24");
        assertThat(applied(second)).as("the new leader applied the update").isTrue();
    }

    private static PackagedOperator replica(String hostname) {
        return PackagedOperator.start(hostname, Map.of("lab.leader-election.lease-name", LEASE), Map.of("HOSTNAME", hostname));
    }

    private static String holder() {
        Lease lease = client.leases().inNamespace("lab-operator").withName(LEASE).get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    /** The operator's requests that wrote MetalLB's ConfigMap {@code configMap}, from the API server's audit log. */
    private static List<JsonNode> configMapWrites(String configMap) {
        return TestCluster.get().auditLog().writesBy(TestCluster.OPERATOR_USER_AGENT).stream()
                .filter(w -> "configmaps".equals(w.path("objectRef").path("resource").asText())
                        && FaultSupport.METALLB_NAMESPACE.equals(w.path("objectRef").path("namespace").asText())
                        && configMap.equals(w.path("objectRef").path("name").asText()))
                .toList();
    }

    private static boolean applied(PackagedOperator replica) throws IOException {
        return Files.readString(replica.log()).contains("ConfigApplied BgpPeerPool/" + POOL);
    }
}
