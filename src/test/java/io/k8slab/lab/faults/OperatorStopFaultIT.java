package io.k8slab.lab.faults;

import static io.k8slab.lab.faults.FaultSupport.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterConditions;
import io.k8slab.lab.cluster.LabFixture;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.testing.PackagedOperator;

/**
 * The packaged operator stopped the way the kubelet and a shell stop it, with SIGTERM: it exits within seconds,
 * idle or in the middle of joins (a new operator finishes them with the same token), and hands its Lease back so
 * a standby leads within a retry period. The standby here runs as {@code java -jar} from a shell would, outside a
 * pod with a kubeconfig that names no namespace: it joins the deployed operator's election in lab-operator and
 * waits, instead of leading an election of its own. Needs target/quarkus-app (mvn package -DskipTests).
 */
class OperatorStopFaultIT {

    private static final String LEASE_NAMESPACE = "lab-operator";
    /** deploy/operator's readiness comes first; the whole stop, JVM included, well within a kubelet's 30 s grace. */
    private static final Duration IDLE_EXIT = Duration.ofSeconds(5);
    /** A released Lease is taken at the standby's next retry: 2 s, up to 1.2 times more jitter, and slack for two JVMs. */
    private static final Duration HAND_OVER = Duration.ofSeconds(2 + 3 + 3);
    private static final Duration JOIN_TIME = Duration.ofSeconds(4);

    private static final List<PackagedOperator> started = new java.util.ArrayList<>();
    private static final List<String> leases = new java.util.ArrayList<>();
    private static final String POOL = "faults-stop";

    @AfterAll
    static void cleanUp() {
        started.forEach(PackagedOperator::kill);
        FaultSupport.deleteQuietly(() -> client.resources(BgpPeerPool.class).withName(POOL).delete());
        leases.forEach(lease -> FaultSupport.deleteQuietly(() -> client.leases().inNamespace(LEASE_NAMESPACE).withName(lease).delete()));
    }

    @Test
    void sigtermWhileIdleExitsWithinSecondsAndReleasesTheLease() throws IOException {
        String lease = lease("faults-stop-idle");
        PackagedOperator operator = replica("faults-stop-idle", lease);
        await().atMost(FaultSupport.WAIT).until(() -> "faults-stop-idle".equals(holder(lease)));
        await().pollDelay(Duration.ofSeconds(3)).until(() -> true); // whatever it found to reconcile, done

        Duration exit = operator.terminate(Duration.ofSeconds(30));
        System.out.printf("faults: idle operator exited %d ms after SIGTERM (exit code %d)%n", exit.toMillis(), operator.exitValue());
        assertThat(exit).isLessThan(IDLE_EXIT);
        assertThat(holder(lease)).as("the Lease handed back").isEmpty();
        assertThat(Files.readString(operator.log())).contains("released Lease " + LEASE_NAMESPACE + "/" + lease)
                .doesNotContain("Stopped leading for identity");
    }

    @Test
    void aStandbyOutsideThePodJoinsTheDeployedElectionAndLeadsSecondsAfterTheLeaderStops() throws IOException {
        String lease = lease("faults-stop-handover");
        String configMap = FaultSupport.configMapName("faults-stop");
        PackagedOperator deployed = replica("faults-stop-deployed", lease);
        await().atMost(FaultSupport.WAIT).until(() -> "faults-stop-deployed".equals(holder(lease)));
        client.resource(FaultSupport.pool(POOL, configMap, m -> {
        })).create();
        FaultSupport.awaitInForce(POOL, configMap);

        // As make run or java -jar starts it: no pod namespace, no client namespace, a kubeconfig naming none.
        PackagedOperator local = PackagedOperator.startOutsidePod("faults-stop-local", Map.of("lab.leader-election.lease-name", lease));
        started.add(local);
        String localIdentity = InetAddress.getLocalHost().getHostName() + "-" + local.pid();
        await().atMost(FaultSupport.WAIT).until(() -> log(local).contains("Lease " + LEASE_NAMESPACE + "/" + lease
                + " is held by faults-stop-deployed: waiting as a standby (this operator is " + localIdentity + ")"));
        assertThat(log(local)).contains("leader election: Lease " + lease + " in " + LEASE_NAMESPACE + " (not in a pod");
        assertThat(holder(lease)).isEqualTo("faults-stop-deployed");
        assertThat(client.leases().inAnyNamespace().list().getItems()).as("one election, in lab-operator")
                .filteredOn(l -> lease.equals(l.getMetadata().getName()))
                .extracting(l -> l.getMetadata().getNamespace()).containsExactly(LEASE_NAMESPACE);
        assertThat(log(local)).doesNotContain("ConfigApplied BgpPeerPool/" + POOL);

        Instant stopped = Instant.now();
        Duration exit = deployed.terminate(Duration.ofSeconds(30));
        await().atMost(HAND_OVER.plus(exit)).pollInterval(Duration.ofMillis(100)).until(() -> localIdentity.equals(holder(lease)));
        Duration handOver = Duration.between(stopped, Instant.now());
        System.out.printf("faults: leader exited %d ms after SIGTERM; the standby held the Lease %d ms after SIGTERM%n",
                exit.toMillis(), handOver.toMillis());
        assertThat(exit).isLessThan(IDLE_EXIT);
        assertThat(handOver).isLessThan(HAND_OVER);

        client.resources(BgpPeerPool.class).withName(POOL).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"addressPools\":[{\"name\":\"my-ip-space\",\"protocol\":\"bgp\",\"addresses\":[\"192.168.78.0/24\"]}]}}");
        FaultSupport.awaitInForce(POOL, configMap);
        assertThat(FaultSupport.config(configMap)).contains("192.168.78.0/24");
        assertThat(log(local)).as("the new leader applied the update").contains("ConfigApplied BgpPeerPool/" + POOL);

        Duration localExit = local.terminate(Duration.ofSeconds(30));
        System.out.printf("faults: the operator run outside a pod exited %d ms after SIGTERM%n", localExit.toMillis());
        assertThat(localExit).isLessThan(IDLE_EXIT);
        assertThat(holder(lease)).isEmpty();
    }

    @Test
    void sigtermDuringJoinsExitsAndTheNextOperatorFinishesThemWithTheSameToken() {
        String lease = lease("faults-stop-joins");
        PackagedOperator first = replica("faults-stop-joins-a", lease);
        try (LabFixture lab = LabFixture.start("joins-stopped", 42, 2)) {
            long createsBefore = FaultSupport.tokenSecretCreates();
            lab.machines.forEach(m -> m.kubeadm.joinTime = JOIN_TIME);
            lab.apply(lab.cluster(spec -> {
            }));
            await().atMost(FaultSupport.WAIT).until(() -> lab.machines.stream()
                    .allMatch(m -> m.commands().stream().anyMatch(c -> c.startsWith("sudo kubeadm join"))));

            Duration exit = first.terminate(Duration.ofSeconds(30));
            long finished = lab.machines.stream().filter(m -> !m.joins().isEmpty()).count();
            System.out.printf("faults: operator exited %d ms after SIGTERM with joins running (finished so far: %d of %d)%n",
                    exit.toMillis(), finished, lab.machines.size());
            assertThat(exit).isLessThan(IDLE_EXIT);

            PackagedOperator next = replica("faults-stop-joins-b", lease);
            await().atMost(FaultSupport.WAIT.plus(JOIN_TIME)).untilAsserted(() -> {
                LabCluster cluster = lab.get();
                assertThat(cluster.getStatus()).isNotNull();
                assertThat(cluster.getStatus().observedGeneration).isEqualTo(cluster.getMetadata().getGeneration());
                assertThat(Conditions.isTrue(cluster.getStatus().conditions, LabClusterConditions.READY)).isTrue();
                assertThat(lab.tokens()).as("the token goes when no join is pending").isEmpty();
            });
            assertThat(lab.machines).allSatisfy(m -> assertThat(m.joins()).as("kubeadm join runs on " + m.address()).hasSize(1));
            assertThat(lab.tokensIssued()).as("the next operator reused the token its predecessor issued").isEqualTo(1);
            assertThat(FaultSupport.tokenSecretCreates() - createsBefore).as("token Secrets created, by the audit log").isEqualTo(1);
            next.terminate(Duration.ofSeconds(30)); // no leader of this test's Lease is left to reconcile the next test's objects
        }
    }

    @Test
    void aLeaseTakenAwayWhileRunningStillEndsTheProcess() throws IOException {
        String lease = lease("faults-stop-lost");
        PackagedOperator operator = replica("faults-stop-lost", lease);
        await().atMost(FaultSupport.WAIT).until(() -> "faults-stop-lost".equals(holder(lease)));

        // Another holder, freshly renewed: what the leader finds at its next renewal after losing the Lease.
        client.leases().inNamespace(LEASE_NAMESPACE).withName(lease).edit(l -> {
            l.getSpec().setHolderIdentity("faults-thief");
            l.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
            return l;
        });
        await().atMost(Duration.ofSeconds(15)).until(() -> !operator.isAlive());
        assertThat(operator.exitValue()).as("exits as JOSDK did, so no two operators reconcile").isEqualTo(1);
        assertThat(Files.readString(operator.log())).contains("lost Lease " + LEASE_NAMESPACE + "/" + lease)
                .doesNotContain("released Lease");
        assertThat(holder(lease)).as("a Lease it no longer holds is not touched").isEqualTo("faults-thief");
    }

    /** A replica of deploy/operator's Deployment: in a pod, the pod's name as identity. */
    private static PackagedOperator replica(String hostname, String lease) {
        PackagedOperator operator = PackagedOperator.start(hostname, Map.of("lab.leader-election.lease-name", lease), Map.of("HOSTNAME", hostname));
        started.add(operator);
        operator.awaitReady(Duration.ofSeconds(60));
        return operator;
    }

    private static String lease(String prefix) {
        String lease = FaultSupport.unique(prefix);
        leases.add(lease);
        return lease;
    }

    /** The Lease's holder; empty once released, null while there is no Lease. */
    private static String holder(String lease) {
        Lease live = client.leases().inNamespace(LEASE_NAMESPACE).withName(lease).get();
        return live == null ? null : live.getSpec().getHolderIdentity() == null ? "" : live.getSpec().getHolderIdentity();
    }

    private static String log(PackagedOperator operator) {
        try {
            return Files.readString(operator.log());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
