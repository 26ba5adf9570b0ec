package io.k8slab.lab.join;

import java.security.PublicKey;
import java.util.List;
import java.util.Optional;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * Which SSH host key a machine must show: the one known_hosts of the SSH Secret lists for it; or, only where the
 * LabCluster trusts on first use, the fingerprint pinned in the operator's pin Secret, or the first key seen, which
 * is pinned before anything is sent. {@link #choose} decides which applies, or that the machine must wait.
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

    /** The fingerprint pinned on first use; {@code source} names where the pin is kept. */
    record Pinned(String fingerprint, String source) implements HostKeyPolicy {

        @Override
        public Verdict verify(String host, int port, PublicKey presented) {
            String seen = fingerprintOf(presented);
            return fingerprint.equals(seen)
                    ? new Verdict(true, seen, "host key matches the one pinned on first use")
                    : new Verdict(false, seen, "host key of " + host + ":" + port + " changed: pinned on first use "
                            + fingerprint + " (" + source + "), now " + seen + "; refusing to connect. If the machine was "
                            + "rebuilt, delete that pin or put its key in known_hosts of the SSH Secret");
        }
    }

    /** Records a first-use pin; throws when it cannot, and the connection is then refused. */
    @FunctionalInterface
    interface PinRecorder {
        void record(String fingerprint);
    }

    /** Nothing known yet and trust on first use allowed: the key seen is pinned, then accepted. */
    record FirstUse(PinRecorder recorder) implements HostKeyPolicy {

        @Override
        public Verdict verify(String host, int port, PublicKey presented) {
            String seen = fingerprintOf(presented);
            try {
                recorder.record(seen);
            } catch (RuntimeException e) {
                return new Verdict(false, seen, "first connection to " + host + ":" + port + " (it shows " + seen
                        + "): cannot pin its host key, so refusing to connect: " + e.getMessage());
            }
            return new Verdict(true, seen, "first connection: host key " + seen + " pinned and enforced from now on");
        }
    }

    /** What to check a machine's key against, or why the operator may not connect to it yet. */
    record Choice(Optional<HostKeyPolicy> policy, Optional<String> waiting) {
    }

    /**
     * known_hosts when it names {@code host:port}; otherwise, with trust on first use, the pin or else first use;
     * otherwise wait until known_hosts names the machine. Pure.
     */
    static Choice choose(SshCredentials credentials, String host, int port, boolean trustOnFirstUse, Optional<String> pin,
            String pinSource, PinRecorder recorder) {
        Optional<List<KnownHostEntry>> known = credentials.knownHosts()
                .filter(entries -> entries.stream().anyMatch(e -> e.isHostMatch(host, port) && !"cert-authority".equals(e.getMarker())));
        if (known.isPresent()) {
            return new Choice(Optional.of(new KnownHosts(known.get(), credentials.source())), Optional.empty());
        }
        if (trustOnFirstUse) {
            return new Choice(Optional.of(pin.<HostKeyPolicy>map(p -> new Pinned(p, pinSource)).orElseGet(() -> new FirstUse(recorder))),
                    Optional.empty());
        }
        return new Choice(Optional.empty(), Optional.of("waiting for known_hosts in " + credentials.source() + " to name "
                + (port == 22 ? host : "[" + host + "]:" + port) + " (spec.join.ssh.hostKeyPolicy is KnownHosts, so an "
                + "unknown machine gets no connection and no token): add its host key, or set hostKeyPolicy: TrustOnFirstUse"));
    }
}
