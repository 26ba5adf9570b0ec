package io.k8slab.lab.api.v1alpha1;

/** Which SSH host keys the operator trusts when it logs in to a machine. */
public enum HostKeyTrust {
    /** Only the key known_hosts of the SSH Secret lists for the machine; a machine it does not list waits. */
    KnownHosts,
    /**
     * known_hosts where it lists the machine; otherwise the first key the machine shows, pinned in the operator's
     * Secret kube-system/lab-host-keys-&lt;cluster&gt; before anything is sent, and enforced from then on.
     */
    TrustOnFirstUse
}
