package io.k8slab.lab.join;

import java.io.IOException;

/** The machine showed an SSH host key the policy refuses; nothing was sent to it. The message says which and why. */
public final class HostKeyRejectedException extends IOException {

    public HostKeyRejectedException(String message) {
        super(message);
    }
}
