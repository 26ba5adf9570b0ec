package io.k8slab.lab.join;

import java.security.PublicKey;
import java.util.List;
import java.util.Optional;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * Which SSH host key a machine must show. Known hosts from the SSH Secret win; without them the fingerprint the
 * operator recorded the first time is enforced; with neither, the first key seen is accepted (and then recorded).
 * Pure.
 */
public sealed interface HostKeyPolicy {

    /** What a check concluded: the fingerprint seen, whether it is accepted, and why in words. */
    record Verdict(boolean accepted, String fingerprint, String message) {
    }

    Verdict verify(String host, int port, PublicKey presented);

    /** OpenSSH's fingerprint format, {@code SHA256:<base64>}. */
    static String fingerprintOf(PublicKey key) {
        return KeyUtils.getFingerPrint(key);
    }

    /** The known_hosts lines of the SSH Secret; {@code source} names the Secret for messages. */
    record KnownHosts(List<KnownHostEntry> entries, String source) implements HostKeyPolicy {

        @Override
        public Verdict verify(String host, int port, PublicKey presented) {
            String seen = fingerprintOf(presented);
            List<KnownHostEntry> forHost = entries.stream()
                    .filter(e -> e.isHostMatch(host, port))
                    .filter(e -> !"cert-authority".equals(e.getMarker()))
                    .toList();
            if (forHost.isEmpty()) {
                return new Verdict(false, seen, "no known_hosts entry for " + host + ":" + port + " in " + source
                        + "; refusing to connect (it shows " + seen + ")");
            }
            boolean revoked = forHost.stream().anyMatch(e -> "revoked".equals(e.getMarker()) && matches(e, presented));
            boolean listed = forHost.stream().anyMatch(e -> e.getMarker() == null && matches(e, presented));
            if (listed && !revoked) {
                return new Verdict(true, seen, "host key listed in " + source);
            }
            return new Verdict(false, seen, "host key mismatch for " + host + ":" + port + ": it shows " + seen + ", which "
                    + (revoked ? "is revoked in " : "is not the key listed in ") + source
                    + "; refusing to connect. If the machine was rebuilt, update known_hosts in that Secret");
        }

        private static boolean matches(KnownHostEntry entry, PublicKey presented) {
            try {
                return Optional.ofNullable(entry.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.IGNORING))
                        .map(key -> KeyUtils.compareKeys(key, presented))
                        .orElse(false);
            } catch (java.io.IOException | java.security.GeneralSecurityException e) {
                return false;
            }
        }
    }

    /** The fingerprint recorded on first use (in the node's status). */
    record Pinned(String fingerprint) implements HostKeyPolicy {

        @Override
        public Verdict verify(String host, int port, PublicKey presented) {
            String seen = fingerprintOf(presented);
            return fingerprint.equals(seen)
                    ? new Verdict(true, seen, "host key matches the one recorded on first use")
                    : new Verdict(false, seen, "host key of " + host + ":" + port + " changed: recorded on first use "
                            + fingerprint + ", now " + seen + "; refusing to connect. If the machine was rebuilt, put its"
                            + " key in known_hosts of the SSH Secret");
        }
    }

    /** Nothing known yet: trust on first use. */
    record FirstUse() implements HostKeyPolicy {

        @Override
        public Verdict verify(String host, int port, PublicKey presented) {
            String seen = fingerprintOf(presented);
            return new Verdict(true, seen, "first connection: host key " + seen + " recorded and enforced from now on");
        }
    }
}
