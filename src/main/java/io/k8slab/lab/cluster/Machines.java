package io.k8slab.lab.cluster;

import java.util.Map;

import io.k8slab.lab.join.SshTarget;

/**
 * The SSH target of every machine the operator has work on (unjoined nodes at their spec address, removed ones
 * at the address the spec last gave them), and, by node, why one must wait for its host key to be known.
 */
record Machines(Map<String, SshTarget> targets, Map<String, String> hostKeyWaits) {

    static final Machines NONE = new Machines(Map.of(), Map.of());
}
