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

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.join.Joiner.Outcome;
import io.k8slab.lab.join.Joiner.State;
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

    @Test
    void uploadsTheConfigurationRunsKubeadmAndRemovesTheFile() throws Exception {
        machine.kubeadm.version = "v1.30.2";

        Outcome outcome = kubeadm.join(target(new HostKeyPolicy.FirstUse()), request());

        assertThat(outcome.state()).as(outcome.message()).isEqualTo(State.DONE);
        assertThat(outcome.hostKeyFingerprint()).isEqualTo(machine.hostKeyFingerprint());
        assertThat(client.nodes().withName(NODE).get()).isNotNull();
        assertThat(machine.commands()).containsExactly(
                "pgrep -x kubeadm",
                "test -e /etc/kubernetes/kubelet.conf",
                "kubeadm version -o short",
                "umask 077 && mkdir -p .lab-operator && cat > .lab-operator/join.yaml",
                "sudo kubeadm join --config .lab-operator/join.yaml",
                "rm -f .lab-operator/join.yaml");
        assertThat(KubeadmEmulator.parse(machine.uploads().get(0)).apiVersion()).isEqualTo("kubeadm.k8s.io/v1beta3");
        assertThat(machine.leftoverFiles()).isEmpty();
    }

    @Test
    void aMachineThatAlreadyJoinedIsNotJoinedAgain() {
        kubeadm.join(target(new HostKeyPolicy.FirstUse()), request());

        Outcome again = kubeadm.join(target(new HostKeyPolicy.FirstUse()), request());

        assertThat(again.state()).isEqualTo(State.DONE);
        assertThat(again.message()).contains("already joined");
        assertThat(machine.joins()).hasSize(1);
    }

    @Test
    void aMachineWhereKubeadmRunsIsLeftToIt() throws Exception {
        machine.kubeadm.joinTime = Duration.ofSeconds(2);
        CompletableFuture<Outcome> first = CompletableFuture.supplyAsync(() -> kubeadm.join(target(new HostKeyPolicy.FirstUse()), request()));
        while (machine.commands().stream().noneMatch(c -> c.startsWith("sudo kubeadm join"))) {
            Thread.sleep(20);
        }

        Outcome second = kubeadm.join(target(new HostKeyPolicy.FirstUse()), request());

        assertThat(second.state()).isEqualTo(State.BUSY);
        assertThat(first.get().state()).isEqualTo(State.DONE);
        assertThat(machine.joins()).hasSize(1);
    }

    @Test
    void aRefusedHostKeyMeansNothingIsSent() {
        Outcome outcome = kubeadm.join(target(new HostKeyPolicy.Pinned("SHA256:someOtherKey")), request());

        assertThat(outcome.state()).isEqualTo(State.FAILED);
        assertThat(outcome.message()).contains("changed", "SHA256:someOtherKey", machine.hostKeyFingerprint());
        assertThat(outcome.hostKeyFingerprint()).as("a refused key is not recorded").isNull();
        assertThat(machine.commands()).isEmpty();
    }

    @Test
    void anUnreachableMachineIsAFailureWithTheReason() {
        SshTarget nobody = new SshTarget("127.0.40.99", machine.port(), FakeMachine.USER, List.of(OPERATOR), new HostKeyPolicy.FirstUse());

        Outcome outcome = kubeadm.join(nobody, request());

        assertThat(outcome.state()).isEqualTo(State.FAILED);
        assertThat(outcome.message()).startsWith("cannot log in to lab@127.0.40.99:" + machine.port() + " over SSH");
    }

    @Test
    void resetRunsKubeadmReset() {
        Outcome outcome = kubeadm.reset(target(new HostKeyPolicy.FirstUse()));

        assertThat(outcome.state()).isEqualTo(State.DONE);
        assertThat(machine.resets()).isEqualTo(1);
        assertThat(machine.commands()).containsExactly("sudo kubeadm reset -f");
        assertThat(Optional.ofNullable(outcome.hostKeyFingerprint())).contains(machine.hostKeyFingerprint());
    }
}
