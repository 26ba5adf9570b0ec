package io.k8slab.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8slab.lab.api.v1alpha1.HostKeyTrust;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterConditions;
import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.api.v1alpha1.NodePhase;
import io.k8slab.lab.api.v1alpha1.NodeRole;
import io.k8slab.lab.api.v1alpha1.NodeStatus;
import io.k8slab.lab.join.BootstrapTokenIssuer;
import io.k8slab.lab.join.DiscoveryHash;
import io.k8slab.lab.join.FakeMachine;
import io.k8slab.lab.join.HostKeyPins;
import io.k8slab.lab.join.KubeadmEmulator;
import io.k8slab.lab.join.KubeadmInit;
import io.k8slab.lab.join.LogCapture;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.testing.Kubectl;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Nodes;
import io.k8slab.lab.testing.TestCluster;

/**
 * LabCluster joins its workers against the real API server: the workers are SSH servers in the test whose kubeadm
 * authenticates to the API server with the token the operator issued and checks the CA hash it was given, so these
 * tests prove that the token and the hash work, not just that a command was built. The last test searches
 * everything the class produced (logs, Events, status, the machines' command lines) for the token values.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabClusterJoinTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static LogCapture logs;
    private static final List<FakeMachine> allMachines = new ArrayList<>();

    @BeforeAll
    static void captureLogs() {
        logs = new LogCapture();
    }

    @AfterAll
    static void stopCapturing() {
        logs.close();
    }

    @Test
    @Order(1)
    void threeWorkersJoinInParallelAndEndLabelledAndReady() throws Exception {
        try (LabFixture lab = LabFixture.start("trio", 11, 3); LocalOperator operator = operator()) {
            allMachines.addAll(lab.machines);
            lab.machines.forEach(m -> m.kubeadm.joinTime = Duration.ofSeconds(2));
            String master = lab.name + "-master";
            Nodes.registerReady(client, master, lab.address(10), "v1.20.2");
            lab.apply(lab.cluster(spec -> {
                LabNode controlPlane = new LabNode();
                controlPlane.name = master;
                controlPlane.address = lab.address(10);
                controlPlane.role = NodeRole.CONTROL_PLANE;
                controlPlane.type = "master";
                spec.nodes.add(0, controlPlane);
                spec.nodes.get(1).labels = Map.of("lab.k8slab.io/rack", "r1");
            }));

            await().atMost(WAIT).untilAsserted(() -> assertThat(lab.tokens()).hasSize(1));
            Secret token = lab.tokens().get(0);
            assertTokenSecret(token, lab);

            Kubectl.run("wait", "--for=condition=Ready", "labcluster/" + lab.name, "--timeout=45s");
            LabCluster cluster = lab.get();
            assertThat(cluster.getStatus().ready).isEqualTo("4/4");
            assertThat(cluster.getStatus().phase).isEqualTo("Ready");
            assertThat(cluster.getStatus().observedGeneration).isEqualTo(cluster.getMetadata().getGeneration());
            for (String condition : List.of(LabClusterConditions.TOKEN_READY, LabClusterConditions.NODES_JOINED,
                    LabClusterConditions.NODES_LABELED, LabClusterConditions.READY)) {
                assertThat(Conditions.isTrue(cluster.getStatus().conditions, condition)).as(condition).isTrue();
            }
            for (int i = 0; i < 3; i++) {
                FakeMachine machine = lab.machines.get(i);
                String name = lab.nodeName(i + 1);
                // the Node registers (Ready) a moment before kubeadm returns and the host key is reported
                await().atMost(WAIT).untilAsserted(() -> assertThat(lab.node(name).hostKeyFingerprint).isEqualTo(machine.hostKeyFingerprint()));
                NodeStatus status = lab.node(name);
                assertThat(status.phase).isEqualTo(NodePhase.Ready);
                assertThat(status.attempts).isEqualTo(1);
                assertThat(status.kubeletVersion).isEqualTo("v1.20.2");
                assertThat(machine.joins()).hasSize(1).allMatch(FakeMachine.Run::succeeded);
                assertThat(machine.leftoverFiles()).as("the JoinConfiguration is removed after the join").isEmpty();

                KubeadmEmulator.Config config = KubeadmEmulator.parse(machine.uploads().get(0));
                assertThat(config.apiVersion()).as("kubeadm 1.20 reads v1beta2").isEqualTo("kubeadm.k8s.io/v1beta2");
                assertThat(config.nodeName()).isEqualTo(lab.nodeName(i + 1));
                assertThat(config.nodeIp()).isEqualTo(machine.address());
                assertThat(config.endpoint()).isEqualTo(KubeadmInit.endpoint());
                assertThat(config.caCertHashes()).containsExactly(DiscoveryHash.of(KubeadmInit.ca()));
            }
            // parallel: every join started before the first one ended
            List<FakeMachine.Run> runs = lab.machines.stream().map(m -> m.joins().get(0)).toList();
            Instant lastStart = runs.stream().map(FakeMachine.Run::start).max(Comparator.naturalOrder()).orElseThrow();
            Instant firstEnd = runs.stream().map(FakeMachine.Run::end).min(Comparator.naturalOrder()).orElseThrow();
            assertThat(lastStart).isBefore(firstEnd);

            Node worker = client.nodes().withName(lab.nodeName(1)).get();
            assertThat(worker.getMetadata().getLabels()).containsEntry("node-role.kubernetes.io/node", "")
                    .containsEntry("type", "worker").containsEntry("lab.k8slab.io/rack", "r1")
                    .containsEntry(NodeLabels.CLUSTER, lab.name);
            assertThat(worker.getStatus().getAddresses()).anySatisfy(a -> assertThat(a.getAddress()).isEqualTo(lab.address(21)));
            Node controlPlane = client.nodes().withName(master).get();
            assertThat(controlPlane.getMetadata().getLabels()).containsEntry("node-role.kubernetes.io/control-plane", "")
                    .containsEntry("type", "master");

            await().atMost(WAIT).untilAsserted(() -> assertThat(lab.tokens()).as("token deleted once no join is pending").isEmpty());
            assertThat(lab.tokensIssued()).isEqualTo(1);
            assertThat(lab.get().getStatus().joinToken).isNull();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(eventReasons(lab.name)).contains("TokenIssued", "TokenDeleted", "HostKeyRecorded", "NodeRegistered"));
            assertThat(lab.pins()).as("known_hosts named every machine: nothing pinned").isEmpty();
            assertThat(Conditions.isTrue(lab.get().getStatus().conditions, LabClusterConditions.HOST_KEYS_KNOWN)).isTrue();
            client.nodes().withName(master).delete();
        }
    }

    @Test
    @Order(2)
    void theTokenLivesWhileAJoinIsPendingAndGoesWhenTheLastOneFinishes() {
        try (LabFixture lab = LabFixture.start("pair", 12, 2); LocalOperator operator = operator()) {
            allMachines.addAll(lab.machines);
            lab.machines.get(0).kubeadm.joinTime = Duration.ofMillis(200);
            lab.machines.get(1).kubeadm.joinTime = Duration.ofSeconds(4);
            lab.apply(lab.cluster(spec -> {
            }));

            await().atMost(WAIT).until(() -> lab.node(lab.nodeName(1)) != null && lab.node(lab.nodeName(1)).phase == NodePhase.Ready);
            LabCluster halfway = lab.get();
            assertThat(lab.node(lab.nodeName(2)).phase).isEqualTo(NodePhase.Joining);
            assertThat(lab.tokens()).hasSize(1);
            assertThat(halfway.getStatus().joinToken.secretName).isEqualTo(lab.tokens().get(0).getMetadata().getName());
            assertThat(Conditions.find(halfway.getStatus().conditions, LabClusterConditions.TOKEN_READY).orElseThrow().getReason()).isEqualTo("Issued");

            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(lab.node(lab.nodeName(2)).phase).isEqualTo(NodePhase.Ready);
                assertThat(lab.tokens()).isEmpty();
                assertThat(lab.get().getStatus().joinToken).isNull();
            });
            assertThat(Conditions.find(lab.get().getStatus().conditions, LabClusterConditions.TOKEN_READY).orElseThrow().getReason())
                    .isEqualTo("NoJoinPending");
        }
    }

    @Test
    @Order(3)
    void aFailingKubeadmShowsItsErrorScrubbedAndIsRetried() {
        try (LabFixture lab = LabFixture.start("flaky", 13, 1); LocalOperator operator = operator()) {
            allMachines.addAll(lab.machines);
            FakeMachine machine = lab.machines.get(0);
            machine.kubeadm.failures = 2;
            machine.kubeadm.failuresLeaveFiles = true; // each failure is a half-join the next attempt must clean
            machine.kubeadm.failureStderr = "[preflight] Running pre-flight checks\n"
                    + "error execution phase preflight: couldn't validate the identity of the API Server: token %TOKEN% was refused\n"
                    + "To see the stack trace of this error execute with --v=5 or higher\n";
            lab.apply(lab.cluster(spec -> {
            }));

            NodeStatus failed = await().atMost(WAIT).until(() -> lab.node(lab.nodeName(1)),
                    n -> n != null && n.phase == NodePhase.Failed);
            assertThat(failed.message).contains("kubeadm join failed: exit status 1",
                    "couldn't validate the identity of the API Server: token <redacted> was refused",
                    "To see the stack trace of this error");
            assertThat(failed.attempts).isPositive();
            assertThat(failed.lastAttemptTime).isNotNull();
            LabFixture.tokenValues().forEach(token -> assertThat(failed.message).doesNotContain(token));
            assertThat(Conditions.find(lab.get().getStatus().conditions, LabClusterConditions.NODES_JOINED).orElseThrow().getReason())
                    .isEqualTo("JoinFailing");

            await().atMost(WAIT).untilAsserted(() -> assertThat(lab.node(lab.nodeName(1))).extracting(n -> n.phase).isEqualTo(NodePhase.Ready));
            assertThat(lab.node(lab.nodeName(1)).attempts).isEqualTo(3);
            assertThat(machine.joins()).extracting(FakeMachine.Run::succeeded).containsExactly(false, false, true);
            assertThat(machine.resets()).as("each retry reset the half-joined machine first").isEqualTo(2);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(eventMessages(lab.name)).anySatisfy(m -> assertThat(m).contains("JoinFailed", "token <redacted> was refused")));
        }
    }

    @Test
    @Order(4)
    void aHostKeyThatChangedAfterFirstUseIsRefused() {
        try (LabFixture lab = LabFixture.start("rebuilt", 14, 1); LocalOperator operator = operator()) {
            allMachines.addAll(lab.machines);
            FakeMachine machine = lab.machines.get(0);
            machine.kubeadm.failures = 1; // the first join fails, after the host key was pinned
            String firstKey = machine.hostKeyFingerprint();
            lab.writeSshSecret(null);
            lab.apply(lab.cluster(spec -> spec.join.ssh.hostKeyPolicy = HostKeyTrust.TrustOnFirstUse));

            NodeStatus failed = await().atMost(WAIT).until(() -> lab.node(lab.nodeName(1)), n -> n != null && n.phase == NodePhase.Failed);
            assertThat(failed.hostKeyFingerprint).isEqualTo(firstKey);
            String pinKey = lab.nodeName(1) + "_" + machine.address();
            assertThat(lab.pins()).as("pinned in the operator's Secret, keyed by node and address").containsExactly(Map.entry(pinKey, firstKey));
            Secret pins = client.secrets().inNamespace("kube-system").withName(HostKeyPins.secretName(lab.name)).get();
            assertThat(pins.getMetadata().getLabels()).containsEntry(HostKeyPins.LABEL, lab.name)
                    .containsEntry(BootstrapTokenIssuer.MANAGED_BY_LABEL, BootstrapTokenIssuer.MANAGED_BY);
            assertThat(pins.getMetadata().getOwnerReferences()).as("outlives its LabCluster").isNullOrEmpty();
            machine.changeHostKey();
            int commandsBefore = machine.commands().size();

            NodeStatus refused = await().atMost(WAIT).until(() -> lab.node(lab.nodeName(1)),
                    n -> n.phase == NodePhase.Failed && n.message.contains("changed"));
            assertThat(refused.message).contains("host key of " + machine.address() + ":" + machine.port() + " changed",
                    firstKey, machine.hostKeyFingerprint(), "refusing to connect", "Secret kube-system/" + HostKeyPins.secretName(lab.name));
            assertThat(lab.pins()).as("the pin stays").containsExactly(Map.entry(pinKey, firstKey));
            assertThat(machine.commands()).as("nothing was sent to the machine").hasSize(commandsBefore);
            assertThat(machine.joins()).hasSize(1);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(eventReasons(lab.name)).contains("HostKeyRecorded", "JoinFailed"));
        }
    }

    /** The pin is not in status: a node removed and added again (its status entry gone) is held to it. */
    @Test
    @Order(9)
    void aNodeRemovedAndAddedAgainKeepsItsPin() {
        try (LabFixture lab = LabFixture.start("readded", 19, 1); LocalOperator operator = operator()) {
            allMachines.addAll(lab.machines);
            FakeMachine machine = lab.machines.get(0);
            lab.writeSshSecret(null);
            lab.apply(lab.cluster(spec -> spec.join.ssh.hostKeyPolicy = HostKeyTrust.TrustOnFirstUse));
            await().atMost(WAIT).untilAsserted(() -> assertThat(lab.node(lab.nodeName(1))).extracting(n -> n.phase).isEqualTo(NodePhase.Ready));
            String pinned = machine.hostKeyFingerprint();

            lab.apply(lab.cluster(spec -> {
                spec.join.ssh.hostKeyPolicy = HostKeyTrust.TrustOnFirstUse;
                spec.nodes.clear();
                spec.nodes.add(lab.cluster(s -> { }).getSpec().nodes.get(0));
                spec.nodes.get(0).name = lab.name + "-placeholder";
                spec.nodes.get(0).address = lab.address(99);
                spec.nodes.get(0).role = NodeRole.CONTROL_PLANE; // never joined: the spec just cannot be empty
            }));
            await().atMost(WAIT).until(() -> client.nodes().withName(lab.nodeName(1)).get() == null && lab.node(lab.nodeName(1)) == null);
            machine.changeHostKey(); // whatever answers there now is not the machine that was pinned
            machine.forgetJoin();

            lab.apply(lab.cluster(spec -> spec.join.ssh.hostKeyPolicy = HostKeyTrust.TrustOnFirstUse));
            NodeStatus refused = await().atMost(WAIT).until(() -> lab.node(lab.nodeName(1)),
                    n -> n != null && n.phase == NodePhase.Failed);
            assertThat(refused.message).contains("changed: pinned on first use " + pinned, machine.hostKeyFingerprint(), "refusing to connect");
            assertThat(machine.joins()).hasSize(1);
            assertThat(lab.pins()).containsEntry(lab.nodeName(1) + "_" + machine.address(), pinned);

            // A person accepts the rebuilt machine by deleting its pin.
            Secret pins = client.secrets().inNamespace("kube-system").withName(HostKeyPins.secretName(lab.name)).get();
            pins.getData().remove(lab.nodeName(1) + "_" + machine.address());
            client.resource(pins).update();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(lab.node(lab.nodeName(1))).extracting(n -> n.phase).isEqualTo(NodePhase.Ready));
            assertThat(lab.pins()).containsEntry(lab.nodeName(1) + "_" + machine.address(), machine.hostKeyFingerprint());
        } finally {
            client.nodes().withName("readded-placeholder").delete();
        }
    }

    /** With KnownHosts (the default), a machine known_hosts does not name gets no connection and no token until it does. */
    @Test
    @Order(10)
    void aMachineKnownHostsDoesNotNameWaitsWithoutAToken() {
        try (LabFixture lab = LabFixture.start("unknown", 20, 1); LocalOperator operator = operator()) {
            allMachines.addAll(lab.machines);
            FakeMachine machine = lab.machines.get(0);
            lab.writeSshSecret(null);
            lab.apply(lab.cluster(spec -> {
            }));

            await().atMost(WAIT).untilAsserted(() -> {
                LabCluster cluster = lab.reported();
                var hostKeys = Conditions.find(cluster.getStatus().conditions, LabClusterConditions.HOST_KEYS_KNOWN).orElseThrow();
                assertThat(hostKeys.getStatus()).isEqualTo("False");
                assertThat(hostKeys.getReason()).isEqualTo("HostKeyUnknown");
                assertThat(hostKeys.getMessage()).contains(lab.nodeName(1), "waiting for known_hosts in Secret kube-system/" + lab.sshSecretName(),
                        "[" + machine.address() + "]:" + machine.port());
                NodeStatus node = lab.node(lab.nodeName(1));
                assertThat(node.phase).isEqualTo(NodePhase.Pending);
                assertThat(node.message).contains("hostKeyPolicy is KnownHosts");
                assertThat(Conditions.find(cluster.getStatus().conditions, LabClusterConditions.TOKEN_READY).orElseThrow().getReason())
                        .isEqualTo("WaitingForHostKeys");
            });
            assertThat(lab.tokensIssued()).as("no token while no machine may be contacted").isZero();
            assertThat(machine.commands()).isEmpty();
            assertThat(lab.pins()).isEmpty();

            lab.writeSshSecret(lab.knownHosts());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(lab.node(lab.nodeName(1))).extracting(n -> n.phase).isEqualTo(NodePhase.Ready));
            assertThat(Conditions.isTrue(lab.get().getStatus().conditions, LabClusterConditions.HOST_KEYS_KNOWN)).isTrue();
        }
    }

    @Test
    @Order(5)
    void aHostKeyNotInKnownHostsIsRefused() {
        try (LabFixture lab = LabFixture.start("pinned", 15, 2); LocalOperator operator = operator()) {
            allMachines.addAll(lab.machines);
            FakeMachine trusted = lab.machines.get(0);
            FakeMachine impostor = lab.machines.get(1);
            String listedKey = impostor.knownHostsLine();
            impostor.changeHostKey();
            lab.writeSshSecret(trusted.knownHostsLine() + "\n" + listedKey + "\n");
            lab.apply(lab.cluster(spec -> {
            }));

            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(lab.node(lab.nodeName(1))).extracting(n -> n.phase).isEqualTo(NodePhase.Ready);
                assertThat(lab.node(lab.nodeName(1)).hostKeyFingerprint).isEqualTo(trusted.hostKeyFingerprint());
                NodeStatus refused = lab.node(lab.nodeName(2));
                assertThat(refused.phase).isEqualTo(NodePhase.Failed);
                assertThat(refused.message).contains("host key mismatch for " + impostor.address(), impostor.hostKeyFingerprint(),
                        "Secret kube-system/" + lab.sshSecretName(), "refusing to connect");
            });
            assertThat(impostor.commands()).isEmpty();
        }
    }

    @Test
    @Order(6)
    void anOperatorRestartMidJoinNeitherLeaksTokensNorJoinsTwice() {
        try (LabFixture lab = LabFixture.start("restart", 16, 2)) {
            allMachines.addAll(lab.machines);
            lab.machines.forEach(m -> m.kubeadm.joinTime = Duration.ofSeconds(3));
            LocalOperator first = operator();
            lab.apply(lab.cluster(spec -> {
            }));
            await().atMost(WAIT).until(() -> lab.machines.stream()
                    .allMatch(m -> m.commands().stream().anyMatch(c -> c.startsWith("sudo kubeadm join"))));
            first.close(); // its join sessions drop; kubeadm carries on on the machines

            try (LocalOperator second = operator()) {
                await().atMost(WAIT).untilAsserted(() -> {
                    LabCluster cluster = lab.reported();
                    assertThat(cluster.getStatus().ready).isEqualTo("2/2");
                    assertThat(Conditions.isTrue(cluster.getStatus().conditions, LabClusterConditions.READY)).isTrue();
                    assertThat(lab.tokens()).isEmpty();
                });
            }
            assertThat(lab.machines).allSatisfy(m -> assertThat(m.joins()).as("joins on " + m.address()).hasSize(1));
            assertThat(lab.tokensIssued()).as("the second operator reused the first one's token").isEqualTo(1);
        }
    }

    @Test
    @Order(7)
    void noTokenValueIsInLogsEventsStatusOrCommandLines() {
        try (LabFixture lab = LabFixture.start("secrets", 17, 1); LocalOperator operator = operator()) {
            allMachines.addAll(lab.machines);
            lab.machines.get(0).kubeadm.failures = 1;
            lab.machines.get(0).kubeadm.failureStderr = "error: bootstrap token %TOKEN% is invalid\n";
            lab.apply(lab.cluster(spec -> {
            }));
            await().atMost(WAIT).untilAsserted(() -> assertThat(lab.node(lab.nodeName(1))).extracting(n -> n.phase).isEqualTo(NodePhase.Ready));
        }

        assertThat(LabFixture.tokenValues()).isNotEmpty();
        assertThat(logs.lines()).as("the capture sees the operator's logs").anyMatch(line -> line.contains("issued bootstrap token"))
                .anyMatch(line -> line.contains("kubeadm join failed"));
        List<String> haystack = new ArrayList<>(logs.lines());
        client.v1().events().inAnyNamespace().list().getItems().forEach(e -> haystack.add(Serialization.asJson(e)));
        client.resources(LabCluster.class).list().getItems().stream().map(LabCluster::getStatus).filter(Objects::nonNull)
                .forEach(s -> haystack.add(Serialization.asJson(s)));
        allMachines.forEach(m -> haystack.addAll(m.commands()));
        assertThat(haystack).hasSizeGreaterThan(100);
        for (String token : LabFixture.tokenValues()) {
            assertThat(haystack).noneMatch(text -> text.contains(token));
        }
    }

    /**
     * Joins that cannot run for a while (here the SSH Secret is gone; in an API server restart, reads of it fail
     * the same way) keep their fresh token: deleting it would only make the next reconcile issue another.
     */
    @Test
    @Order(8)
    void joinsThatMustWaitKeepTheirToken() {
        try (LabFixture lab = LabFixture.start("blocked", 17, 1); LocalOperator operator = operator()) {
            allMachines.addAll(lab.machines);
            lab.machines.get(0).kubeadm.failures = 1; // the retry waits out the backoff: time to take access away
            lab.apply(lab.cluster(spec -> {
            }));
            await().atMost(WAIT).until(() -> lab.node(lab.nodeName(1)), n -> n != null && n.phase == NodePhase.Failed);

            client.secrets().inNamespace("kube-system").withName(lab.sshSecretName()).delete();
            await().atMost(WAIT).untilAsserted(() -> assertThat(Conditions.find(lab.reported().getStatus().conditions, LabClusterConditions.TOKEN_READY))
                    .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("WaitingForSshAccess")));
            assertThat(lab.tokens()).as("the fresh token stays while the join waits").hasSize(1);

            lab.writeSshSecret(lab.knownHosts());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(lab.node(lab.nodeName(1))).extracting(n -> n.phase).isEqualTo(NodePhase.Ready));
            assertThat(lab.tokensIssued()).as("tokens issued for the lab").isEqualTo(1);
        }
    }

    /** "Joined" but the kubelet never registers: Failed at the deadline with the reason, then reset and joined again. */
    @Test
    @Order(11)
    void aJoinWhoseNodeNeverRegistersTurnsFailedAndIsRetriedOnACleanMachine() {
        try (LabFixture lab = LabFixture.start("ghost", 23, 1); LocalOperator operator = operator()) {
            allMachines.addAll(lab.machines);
            FakeMachine machine = lab.machines.get(0);
            machine.kubeadm.registers = false;
            lab.apply(lab.cluster(spec -> {
            }));

            NodeStatus failed = await().atMost(WAIT).until(() -> lab.node(lab.nodeName(1)), n -> n != null && n.phase == NodePhase.Failed);
            assertThat(failed.message).contains("joined, but the Node did not register within 5s", "journalctl -u kubelet",
                    "the next attempt resets the machine first");
            assertThat(Conditions.find(lab.get().getStatus().conditions, LabClusterConditions.NODES_JOINED).orElseThrow().getReason())
                    .isEqualTo("JoinFailing");
            machine.kubeadm.registers = true;

            await().atMost(WAIT).untilAsserted(() -> assertThat(lab.node(lab.nodeName(1))).extracting(n -> n.phase).isEqualTo(NodePhase.Ready));
            assertThat(machine.resets()).as("reset before joining again").isPositive();
            assertThat(machine.joins().size()).isGreaterThanOrEqualTo(2);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(eventMessages(lab.name)).anySatisfy(m -> assertThat(m).contains("JoinFailed", "did not register")));
        }
    }

    private static LocalOperator operator() {
        return new LocalOperator(List.of(LabFixture.reconciler()));
    }

    private static void assertTokenSecret(Secret secret, LabFixture lab) {
        assertThat(secret.getType()).isEqualTo("bootstrap.kubernetes.io/token");
        assertThat(secret.getMetadata().getName()).matches("bootstrap-token-[a-z0-9]{6}");
        assertThat(secret.getMetadata().getLabels()).containsEntry(BootstrapTokenIssuer.CLUSTER_LABEL, lab.name);
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("LabCluster"));
        Map<String, String> data = new java.util.HashMap<>();
        secret.getData().forEach((k, v) -> data.put(k, new String(java.util.Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        assertThat(data.get("token-id")).matches("[a-z0-9]{6}").isEqualTo(secret.getMetadata().getName().substring("bootstrap-token-".length()));
        assertThat(data.get("token-secret")).matches("[a-z0-9]{16}");
        assertThat(Duration.between(Instant.now(), Instant.parse(data.get("expiration"))))
                .isBetween(Duration.ofMinutes(29), Duration.ofMinutes(30));
        assertThat(data).containsEntry("usage-bootstrap-authentication", "true").containsEntry("usage-bootstrap-signing", "true")
                .containsEntry("auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token")
                .containsKey("description");
    }

    private static List<String> eventReasons(String cluster) {
        return events(cluster).stream().map(Event::getReason).toList();
    }

    private static List<String> eventMessages(String cluster) {
        return events(cluster).stream().map(e -> e.getReason() + ": " + e.getMessage()).toList();
    }

    /** The Events so far: they are sent in the background and follow the status shortly, so callers await them. */
    private static List<Event> events(String cluster) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "LabCluster".equals(e.getInvolvedObject().getKind()) && cluster.equals(e.getInvolvedObject().getName()))
                .toList();
    }
}
