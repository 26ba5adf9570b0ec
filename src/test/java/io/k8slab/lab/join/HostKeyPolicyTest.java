package io.k8slab.lab.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;

class HostKeyPolicyTest {

    private static final KeyPair MACHINE = FakeMachine.newKeyPair();
    private static final KeyPair OTHER = FakeMachine.newKeyPair();
    private static final String SOURCE = "Secret kube-system/lab-ssh";

    private static HostKeyPolicy knownHosts(String text) throws IOException {
        List<KnownHostEntry> entries = KnownHostEntry.readKnownHostEntries(new StringReader(text), true);
        return new HostKeyPolicy.KnownHosts(entries, SOURCE);
    }

    private static String line(String hosts, PublicKey key) {
        return hosts + " " + PublicKeyEntry.toString(key) + "\n";
    }

    @Test
    void knownHostsAcceptTheListedKeyOnTheDefaultAndOtherPorts() throws IOException {
        assertThat(knownHosts(line("172.17.0.21", MACHINE.getPublic())).verify("172.17.0.21", 22, MACHINE.getPublic()).accepted()).isTrue();
        assertThat(knownHosts(line("[172.17.0.21]:2222", MACHINE.getPublic())).verify("172.17.0.21", 2222, MACHINE.getPublic()).accepted())
                .isTrue();
        assertThat(knownHosts(line("k8s-node-01,172.17.0.21", MACHINE.getPublic())).verify("172.17.0.21", 22, MACHINE.getPublic())
                .fingerprint()).isEqualTo(HostKeyPolicy.fingerprintOf(MACHINE.getPublic()));
    }

    @Test
    void knownHostsRefuseAnotherKeyAndSaySo() throws IOException {
        HostKeyPolicy.Verdict verdict = knownHosts(line("172.17.0.21", OTHER.getPublic())).verify("172.17.0.21", 22, MACHINE.getPublic());
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.message()).contains("host key mismatch for 172.17.0.21:22", HostKeyPolicy.fingerprintOf(MACHINE.getPublic()),
                "is not the key listed in " + SOURCE, "refusing to connect");
    }

    @Test
    void knownHostsRefuseAHostTheyDoNotList() throws IOException {
        HostKeyPolicy.Verdict verdict = knownHosts(line("172.17.0.22", MACHINE.getPublic())).verify("172.17.0.21", 22, MACHINE.getPublic());
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.message()).contains("no known_hosts entry for 172.17.0.21:22 in " + SOURCE);
    }

    @Test
    void aRevokedKeyIsRefusedEvenIfListed() throws IOException {
        HostKeyPolicy policy = knownHosts(line("172.17.0.21", MACHINE.getPublic()) + "@revoked " + line("172.17.0.21", MACHINE.getPublic()));
        assertThat(policy.verify("172.17.0.21", 22, MACHINE.getPublic()).message()).contains("is revoked in " + SOURCE);
    }

    @Test
    void aPinnedFingerprintIsEnforced() {
        HostKeyPolicy pinned = new HostKeyPolicy.Pinned(HostKeyPolicy.fingerprintOf(MACHINE.getPublic()), "Secret kube-system/pins");
        assertThat(pinned.verify("172.17.0.21", 22, MACHINE.getPublic()).accepted()).isTrue();
        HostKeyPolicy.Verdict changed = pinned.verify("172.17.0.21", 22, OTHER.getPublic());
        assertThat(changed.accepted()).isFalse();
        assertThat(changed.message()).contains("host key of 172.17.0.21:22 changed", HostKeyPolicy.fingerprintOf(MACHINE.getPublic()),
                HostKeyPolicy.fingerprintOf(OTHER.getPublic()));
    }

    @Test
    void theFirstKeyIsPinnedThenTrusted() {
        List<String> pinned = new java.util.ArrayList<>();
        HostKeyPolicy.Verdict verdict = new HostKeyPolicy.FirstUse(pinned::add).verify("172.17.0.21", 22, MACHINE.getPublic());
        assertThat(verdict.accepted()).isTrue();
        assertThat(verdict.fingerprint()).startsWith("SHA256:").isEqualTo(HostKeyPolicy.fingerprintOf(MACHINE.getPublic()));
        assertThat(pinned).containsExactly(verdict.fingerprint());
    }

    @Test
    void aFirstKeyThatCannotBePinnedIsRefused() {
        HostKeyPolicy.Verdict verdict = new HostKeyPolicy.FirstUse(fingerprint -> {
            throw new IllegalStateException("cannot write Secret kube-system/pins: forbidden");
        }).verify("172.17.0.21", 22, MACHINE.getPublic());
        assertThat(verdict.accepted()).isFalse();
        assertThat(verdict.message()).contains("cannot pin its host key, so refusing to connect", "forbidden");
    }

    /** Which check applies: known_hosts wherever it names the machine; pins and first use only when asked for. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(nullValues = "none", delimiter = '|', value = {
            "listed, KnownHosts                 | 172.17.0.21      | false | none            | KnownHosts",
            "listed, TrustOnFirstUse, pinned    | 172.17.0.21      | true  | SHA256:pinned   | KnownHosts",
            "listed on another port             | [172.17.0.21]:2222 | false | none          | wait",
            "not listed, KnownHosts             | 172.17.0.22      | false | none            | wait",
            "not listed, KnownHosts, pinned     | 172.17.0.22      | false | SHA256:pinned   | wait",
            "no known_hosts, KnownHosts         | none             | false | none            | wait",
            "not listed, TrustOnFirstUse, pin   | 172.17.0.22      | true  | SHA256:pinned   | Pinned",
            "no known_hosts, TrustOnFirstUse    | none             | true  | none            | FirstUse",
    })
    void theChoiceOfCheck(String name, String listedHost, boolean trustOnFirstUse, String pin, String expected) throws IOException {
        java.util.Optional<List<KnownHostEntry>> known = listedHost == null ? java.util.Optional.empty()
                : java.util.Optional.of(KnownHostEntry.readKnownHostEntries(new StringReader(line(listedHost, MACHINE.getPublic())), true));
        SshCredentials credentials = new SshCredentials(List.of(OTHER), known, SOURCE);

        HostKeyPolicy.Choice choice = HostKeyPolicy.choose(credentials, "172.17.0.21", 22, trustOnFirstUse, java.util.Optional.ofNullable(pin),
                "Secret kube-system/pins", fingerprint -> { });

        if (expected.equals("wait")) {
            assertThat(choice.policy()).isEmpty();
            assertThat(choice.waiting()).hasValueSatisfying(w -> assertThat(w).contains("waiting for known_hosts in " + SOURCE
                    + " to name 172.17.0.21", "hostKeyPolicy is KnownHosts", "TrustOnFirstUse"));
        } else {
            assertThat(choice.waiting()).isEmpty();
            assertThat(choice.policy()).hasValueSatisfying(p -> assertThat(p.getClass().getSimpleName()).isEqualTo(expected));
        }
    }
}
