package io.k8slab.lab.join;

import java.io.IOException;
import java.time.Duration;

/** A logged-in session on one machine, running one command at a time. */
public interface NodeShell extends AutoCloseable {

    /** How a command ended; {@code exitCode} is empty when it did not end in time (or the session dropped). */
    record Result(java.util.OptionalInt exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode.isPresent() && exitCode.getAsInt() == 0;
        }
    }

    /** Runs {@code command} with {@code stdin} as its standard input (closed after), waiting up to {@code timeout}. */
    Result exec(String command, byte[] stdin, Duration timeout) throws IOException;

    /** The fingerprint of the host key this session accepted. */
    String hostKeyFingerprint();

    @Override
    void close();

    /** Opens sessions: over SSH in production, to in-process machines in tests. */
    interface Factory extends AutoCloseable {

        /** Logs in; throws {@link HostKeyRejectedException} when the host key is refused, before anything is sent. */
        NodeShell open(SshTarget target) throws IOException;

        @Override
        void close();
    }
}
