package io.k8slab.lab.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.join.MachineRuns.Outcome;
import io.k8slab.lab.join.MachineRuns.State;
import io.k8slab.lab.testing.TestCluster;

/** The join and reset procedures over real SSH (MINA client and server) to a test machine, against the real API server. */
class KubeadmOverSshTest {

    private static final KubernetesClient client = TestCluster.get().client();
    private static final KeyPair OPERATOR = FakeMachine.newKeyPair();
    private static final String NODE = "ssh-test-node";
    private static IssuedToken token;
    private static BootstrapTokenIssuer issuer;
    private static SshNodeShells shells;

    private FakeMachine machine;
    private final KubeadmOverSsh kubeadm = new KubeadmOverSsh(shells);

    @BeforeAll
    static void prepare() {
        KubeadmInit.prepare();
        issuer = new BootstrapTokenIssuer(client, new SecureRandom());
        token = issuer.issue(client.resource(new ConfigMapBuilder().withNewMetadata().withName("ssh-test").withNamespace("default")
                .endMetadata().build()).serverSideApply(), Duration.ofMinutes(30), Instant.now());
        shells = new SshNodeShells(Duration.ofSeconds(5));
    }

    @AfterAll
    static void cleanUp() {
        issuer.delete(token);
        shells.close();
    }

    @BeforeEach
    void startMachine() {
        machine = FakeMachine.start(List.of("127.0.40.21"), OPERATOR.getPublic()).get(0);
    }

    @AfterEach
    void stopMachine() {
        machine.close();
        client.nodes().withName(NODE).delete();
    }

    private SshTarget target(HostKeyPolicy hostKeys) {
        return new SshTarget(machine.address(), machine.port(), FakeMachine.USER, List.of(OPERATOR), hostKeys);
    }

    private JoinRequest request() {
        return new JoinRequest(KubeadmInit.endpoint(), token.token(), List.of(DiscoveryHash.of(KubeadmInit.ca())), NODE, machine.address());
    }

    /** The machine's kubeadm (emulated) decodes the file with that version's field tables and joins the real API server. */
    @ParameterizedTest(name = "kubeadm {0} gets {1}")
    @CsvSource({
            "v1.20.2, kubeadm.k8s.io/v1beta2",
            "v1.30.2, kubeadm.k8s.io/v1beta3",
            "v1.35.0, kubeadm.k8s.io/v1beta4",
    })
    void uploadsTheConfigurationRunsKubeadmAndRemovesTheFile(String kubeadmVersion, String apiVersion) throws Exception {
        machine.kubeadm.version = kubeadmVersion;

        Outcome outcome = kubeadm.join(target(new HostKeyPolicy.FirstUse(fingerprint -> { })), request(), false);

        assertThat(outcome.state()).as(outcome.message()).isEqualTo(State.DONE);
        assertThat(outcome.hostKeyFingerprint()).isEqualTo(machine.hostKeyFingerprint());
        assertThat(client.nodes().withName(NODE).get()).isNotNull();
        assertThat(machine.commands()).containsExactly(
                "pgrep -x kubeadm",
                "test -e /etc/kubernetes/kubelet.conf",
                "test -e /etc/kubernetes/pki/ca.crt",
                "kubeadm version -o short",
                "umask 077 && mkdir -p .lab-operator && cat > .lab-operator/join.yaml",
                "sudo kubeadm join --config .lab-operator/join.yaml",
                "rm -f .lab-operator/join.yaml");
        KubeadmEmulator.Config config = KubeadmEmulator.parse(machine.uploads().get(0), kubeadmVersion);
        assertThat(config.apiVersion()).isEqualTo(apiVersion);
        assertThat(config.nodeIp()).isEqualTo(machine.address());
        assertThat(machine.leftoverFiles()).isEmpty();
    }

    /** A join that failed after kubelet-start would fail every retry's preflight; the retry cleans the machine first. */
    @Test
    void aHalfJoinedMachineIsResetBeforeTheNextJoin() {
        machine.kubeadm.failures = 1;
        machine.kubeadm.failuresLeaveFiles = true;
        Outcome failed = kubeadm.join(target(new HostKeyPolicy.FirstUse(fingerprint -> { })), request(), false);
        assertThat(failed.state()).isEqualTo(State.FAILED);
        assertThat(machine.resets()).isZero();

        Outcome retried = kubeadm.join(target(new HostKeyPolicy.FirstUse(fingerprint -> { })), request(), false);

        assertThat(retried.state()).as(retried.message()).isEqualTo(State.DONE);
        assertThat(retried.message()).contains("an earlier join left /etc/kubernetes/pki/ca.crt behind, so kubeadm reset -f ran first");
        assertThat(machine.resets()).isEqualTo(1);
        List<String> commands = machine.commands();
        assertThat(commands.lastIndexOf("sudo kubeadm reset -f")).isLessThan(commands.lastIndexOf("sudo kubeadm join --config .lab-operator/join.yaml"));
        assertThat(client.nodes().withName(NODE).get()).isNotNull();
    }

    @Test
    void aJoinedMachineWhoseNodeNeverRegisteredIsResetAndJoinedAgainWhenAsked() {
        machine.kubeadm.registers = false;
        assertThat(kubeadm.join(target(new HostKeyPolicy.FirstUse(fingerprint -> { })), request(), false).state()).isEqualTo(State.DONE);
        assertThat(client.nodes().withName(NODE).get()).isNull();
        machine.kubeadm.registers = true;

        Outcome retried = kubeadm.join(target(new HostKeyPolicy.FirstUse(fingerprint -> { })), request(), true);

        assertThat(retried.state()).as(retried.message()).isEqualTo(State.DONE);
        assertThat(retried.message()).contains("never registered, so kubeadm reset -f ran first");
        assertThat(machine.resets()).isEqualTo(1);
        assertThat(machine.joins()).hasSize(2);
        assertThat(client.nodes().withName(NODE).get()).isNotNull();
    }

    @Test
    void aMachineThatAlreadyJoinedIsNotJoinedAgain() {
        kubeadm.join(target(new HostKeyPolicy.FirstUse(fingerprint -> { })), request(), false);

        Outcome again = kubeadm.join(target(new HostKeyPolicy.FirstUse(fingerprint -> { })), request(), false);

        assertThat(again.state()).isEqualTo(State.DONE);
        assertThat(again.message()).contains("already joined");
        assertThat(machine.joins()).hasSize(1);
    }

    @Test
    void aMachineWhereKubeadmRunsIsLeftToIt() throws Exception {
        machine.kubeadm.joinTime = Duration.ofSeconds(2);
        CompletableFuture<Outcome> first = CompletableFuture.supplyAsync(() -> kubeadm.join(target(new HostKeyPolicy.FirstUse(fingerprint -> { })), request(), false));
        while (machine.commands().stream().noneMatch(c -> c.startsWith("sudo kubeadm join"))) {
            Thread.sleep(20);
        }

        Outcome second = kubeadm.join(target(new HostKeyPolicy.FirstUse(fingerprint -> { })), request(), false);

        assertThat(second.state()).isEqualTo(State.BUSY);
        assertThat(first.get().state()).isEqualTo(State.DONE);
        assertThat(machine.joins()).hasSize(1);
    }

    @Test
    void aRefusedHostKeyMeansNothingIsSent() {
        Outcome outcome = kubeadm.join(target(new HostKeyPolicy.Pinned("SHA256:someOtherKey", "Secret kube-system/pins")), request(), false);

        assertThat(outcome.state()).isEqualTo(State.FAILED);
        assertThat(outcome.message()).contains("changed", "SHA256:someOtherKey", machine.hostKeyFingerprint());
        assertThat(outcome.hostKeyFingerprint()).as("a refused key is not recorded").isNull();
        assertThat(machine.commands()).isEmpty();
    }

    @Test
    void anUnreachableMachineIsAFailureWithTheReason() {
        SshTarget nobody = new SshTarget("127.0.40.99", machine.port(), FakeMachine.USER, List.of(OPERATOR), new HostKeyPolicy.FirstUse(fingerprint -> { }));

        Outcome outcome = kubeadm.join(nobody, request(), false);

        assertThat(outcome.state()).isEqualTo(State.FAILED);
        assertThat(outcome.message()).startsWith("cannot log in to lab@127.0.40.99:" + machine.port() + " over SSH");
    }

    @Test
    void resetRunsKubeadmReset() {
        Outcome outcome = kubeadm.reset(target(new HostKeyPolicy.FirstUse(fingerprint -> { })));

        assertThat(outcome.state()).isEqualTo(State.DONE);
        assertThat(machine.resets()).isEqualTo(1);
        assertThat(machine.commands()).containsExactly("sudo kubeadm reset -f");
        assertThat(Optional.ofNullable(outcome.hostKeyFingerprint())).contains(machine.hostKeyFingerprint());
    }
}
