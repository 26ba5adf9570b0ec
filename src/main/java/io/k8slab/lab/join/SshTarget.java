package io.k8slab.lab.join;

import java.security.KeyPair;
import java.util.List;

/** One machine to reach over SSH: address, login, the keys to log in with, and the host key to expect. */
public record SshTarget(String host, int port, String user, List<KeyPair> identities, HostKeyPolicy hostKeys) {

    /** {@code user@host:port}; never the keys. */
    @Override
    public String toString() {
        return user + "@" + host + ":" + port;
    }
}
