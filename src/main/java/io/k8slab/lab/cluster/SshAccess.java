package io.k8slab.lab.cluster;

import java.util.Optional;

import io.k8slab.lab.join.SshCredentials;

/** The SSH credentials, or why the machines cannot be reached (said in status, never with the key). */
record SshAccess(Optional<SshCredentials> credentials, Optional<String> problem) {

    static final SshAccess NOT_NEEDED = new SshAccess(Optional.empty(), Optional.empty());

    static SshAccess problem(String problem) {
        return new SshAccess(Optional.empty(), Optional.of(problem));
    }
}
