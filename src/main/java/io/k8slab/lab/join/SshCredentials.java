package io.k8slab.lab.join;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * The SSH Secret a LabCluster names: {@code ssh-privatekey} (PEM or OpenSSH, unencrypted) and, optionally,
 * {@code known_hosts}. Parsing errors say which key is wrong, never what it holds.
 */
public record SshCredentials(List<KeyPair> identities, Optional<List<KnownHostEntry>> knownHosts, String source) {

    public static final String PRIVATE_KEY = "ssh-privatekey";
    public static final String KNOWN_HOSTS = "known_hosts";

    /** Parses a Secret's {@code data} (base64 values); {@code source} names the Secret in messages. */
    public static SshCredentials parse(Map<String, String> data, String source) {
        Map<String, String> values = data == null ? Map.of() : data;
        String key = values.get(PRIVATE_KEY);
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException(source + " has no '" + PRIVATE_KEY + "' key");
        }
        List<KeyPair> identities = new ArrayList<>();
        try {
            SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(PRIVATE_KEY),
                    new ByteArrayInputStream(Base64.getDecoder().decode(key)), null).forEach(identities::add);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("'" + PRIVATE_KEY + "' in " + source
                    + " is not an unencrypted PEM or OpenSSH private key");
        }
        if (identities.isEmpty()) {
            throw new IllegalArgumentException("'" + PRIVATE_KEY + "' in " + source + " holds no private key");
        }
        Optional<String> knownHosts = Optional.ofNullable(values.get(KNOWN_HOSTS))
                .map(v -> new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8))
                .filter(text -> !text.isBlank());
        try {
            return new SshCredentials(List.copyOf(identities), knownHosts.isEmpty() ? Optional.empty()
                    : Optional.of(KnownHostEntry.readKnownHostEntries(new StringReader(knownHosts.get()), true)), source);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("'" + KNOWN_HOSTS + "' in " + source + " is not in OpenSSH known_hosts format");
        }
    }

    /**
     * The target for {@code host:port}, checked as {@link HostKeyPolicy#choose} decides; empty, with the reason, when
     * the machine must wait for known_hosts to name it.
     */
    public Target target(String host, int port, String user, boolean trustOnFirstUse, Optional<String> pin, String pinSource,
            HostKeyPolicy.PinRecorder recorder) {
        HostKeyPolicy.Choice choice = HostKeyPolicy.choose(this, host, port, trustOnFirstUse, pin, pinSource, recorder);
        return new Target(choice.policy().map(policy -> new SshTarget(host, port, user, identities, policy)), choice.waiting());
    }

    /** A machine to reach, or why not yet. */
    public record Target(Optional<SshTarget> target, Optional<String> waiting) {
    }

    /** Never the keys. */
    @Override
    public String toString() {
        return "SSH credentials from " + source;
    }
}
