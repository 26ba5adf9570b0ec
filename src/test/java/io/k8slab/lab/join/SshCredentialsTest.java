package io.k8slab.lab.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.junit.jupiter.api.Test;

class SshCredentialsTest {

    private static final String SOURCE = "Secret kube-system/lab-ssh";
    private static final KeyPair USER = FakeMachine.newKeyPair();

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String privateKey() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(USER, "operator", null, out);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    @Test
    void readsTheKeyAndKnownHosts() throws Exception {
        KeyPair host = FakeMachine.newKeyPair();
        SshCredentials credentials = SshCredentials.parse(Map.of(
                "ssh-privatekey", privateKey(),
                "known_hosts", base64("172.17.0.21 " + PublicKeyEntry.toString(host.getPublic()) + "\n")), SOURCE);

        assertThat(credentials.identities()).singleElement().satisfies(k -> assertThat(KeyUtils.compareKeys(k.getPublic(), USER.getPublic())).isTrue());
        assertThat(credentials.knownHosts()).hasValueSatisfying(entries -> assertThat(entries).hasSize(1));
        assertThat(credentials.toString()).isEqualTo("SSH credentials from " + SOURCE);
    }

    @Test
    void problemsNameTheKeyNeverItsContent() {
        String garbage = base64("-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n");
        assertThatThrownBy(() -> SshCredentials.parse(Map.of(), SOURCE)).hasMessage(SOURCE + " has no 'ssh-privatekey' key");
        assertThatThrownBy(() -> SshCredentials.parse(Map.of("ssh-privatekey", garbage), SOURCE))
                .hasMessage("'ssh-privatekey' in " + SOURCE + " is not an unencrypted PEM or OpenSSH private key")
                .hasNoCause();
    }
}
