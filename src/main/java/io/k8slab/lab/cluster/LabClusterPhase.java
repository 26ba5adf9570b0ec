package io.k8slab.lab.cluster;

/** One step of the LabCluster runbook: it reads what the phases before it put in the scope and adds what it finds. */
interface LabClusterPhase {

    /** What the phase does, in a few words: a failure's status condition names it. */
    String name();

    void run(LabClusterScope scope);
}
