package io.k8slab.lab.join;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;

/**
 * SSH sessions to the lab's machines with Apache MINA SSHD's client: public-key login only, nothing read from the
 * operator's own {@code ~/.ssh}, and every host key checked against the target's {@link HostKeyPolicy} during key
 * exchange, so a refused machine never sees a command.
 */
public final class SshNodeShells implements NodeShell.Factory {

    private static final AttributeKey<HostKeyCheck> CHECK = new AttributeKey<>();
    /** kubeadm's output is a few KB; keep the end of anything bigger, where its reason is. */
    private static final int OUTPUT_LIMIT = 64 * 1024;

    private final Duration loginTimeout;
    private SshClient client;

    public SshNodeShells() {
        this(Duration.ofSeconds(15));
    }

    public SshNodeShells(Duration loginTimeout) {
        this.loginTimeout = loginTimeout;
    }

    private synchronized SshClient client() {
        if (client == null) {
            SshClient ssh = SshClient.setUpDefaultClient();
            ssh.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
            ssh.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
            ssh.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
            ssh.setServerKeyVerifier((session, address, key) -> session.getConnectionContext().getAttribute(CHECK).accept(key));
            ssh.start();
            client = ssh;
        }
        return client;
    }

    @Override
    public NodeShell open(SshTarget target) throws IOException {
        HostKeyCheck check = new HostKeyCheck(target);
        ClientSession session = null;
        try {
            session = client().connect(target.user(), target.host(), target.port(), AttributeRepository.ofKeyValuePair(CHECK, check))
                    .verify(loginTimeout.toMillis()).getClientSession();
            target.identities().forEach(session::addPublicKeyIdentity);
            session.auth().verify(loginTimeout.toMillis());
            return new SshShell(session, check.verdict.fingerprint(), loginTimeout);
        } catch (IOException e) {
            if (session != null) {
                session.close(true);
            }
            HostKeyPolicy.Verdict verdict = check.verdict;
            if (verdict != null && !verdict.accepted()) {
                throw new HostKeyRejectedException(verdict.message());
            }
            throw new IOException("cannot log in to " + target + " over SSH: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.stop();
            client = null;
        }
    }

    /** The policy applied during key exchange, remembering its verdict for the error message. */
    private static final class HostKeyCheck {
        private final SshTarget target;
        private volatile HostKeyPolicy.Verdict verdict;

        HostKeyCheck(SshTarget target) {
            this.target = target;
        }

        boolean accept(java.security.PublicKey key) {
            verdict = target.hostKeys().verify(target.host(), target.port(), key);
            return verdict.accepted();
        }
    }

    private static final class SshShell implements NodeShell {
        private final ClientSession session;
        private final String fingerprint;
        private final Duration openTimeout;

        SshShell(ClientSession session, String fingerprint, Duration openTimeout) {
            this.session = session;
            this.fingerprint = fingerprint;
            this.openTimeout = openTimeout;
        }

        @Override
        public Result exec(String command, byte[] stdin, Duration timeout) throws IOException {
            try (ChannelExec channel = session.createExecChannel(command)) {
                Tail out = new Tail();
                Tail err = new Tail();
                channel.setIn(new ByteArrayInputStream(stdin));
                channel.setOut(out);
                channel.setErr(err);
                channel.open().verify(openTimeout.toMillis());
                channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
                Integer status = channel.getExitStatus();
                return new Result(status == null ? OptionalInt.empty() : OptionalInt.of(status), out.text(), err.text());
            }
        }

        @Override
        public String hostKeyFingerprint() {
            return fingerprint;
        }

        @Override
        public void close() {
            session.close(false);
        }
    }

    /** An output sink keeping the last {@link #OUTPUT_LIMIT} bytes. */
    private static final class Tail extends OutputStream {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            buffer.write(b);
            trim();
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            buffer.write(bytes, offset, length);
            trim();
        }

        private void trim() {
            if (buffer.size() > 2 * OUTPUT_LIMIT) {
                byte[] all = buffer.toByteArray();
                buffer.reset();
                buffer.write(all, all.length - OUTPUT_LIMIT, OUTPUT_LIMIT);
            }
        }

        synchronized String text() {
            byte[] all = buffer.toByteArray();
            int from = Math.max(0, all.length - OUTPUT_LIMIT);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        }
    }
}
