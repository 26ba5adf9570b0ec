package io.k8slab.lab.cluster;

import java.util.Map;

import org.jboss.logging.Logger;

import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.join.IssuedToken;
import io.k8slab.lab.join.JoinRequest;
import io.k8slab.lab.join.KubeadmOverSsh;
import io.k8slab.lab.join.MachineRuns;
import io.k8slab.lab.join.SshTarget;

/** Starts a join on each unjoined node that is due, up to the parallelism; each finishing run wakes the reconciler. */
final class StartJoins implements LabClusterPhase {

    private static final Logger LOG = Logger.getLogger(StartJoins.class);

    private final MachineRuns runs;
    private final KubeadmOverSsh kubeadm;

    StartJoins(MachineRuns runs, KubeadmOverSsh kubeadm) {
        this.runs = runs;
        this.kubeadm = kubeadm;
    }

    @Override
    public String name() {
        return "start the joins";
    }

    @Override
    public void run(LabClusterScope scope) {
        if (scope.token.token().isEmpty()) {
            return;
        }
        String name = scope.name;
        int parallelism = scope.settings.parallelism();
        IssuedToken issued = scope.token.token().get();
        Map<String, MachineRuns.Record> records = runs.records(name);
        for (LabNode node : scope.observed.unjoined()) {
            if (runs.running(name) >= parallelism) {
                return;
            }
            MachineRuns.Record record = records.get(node.name);
            SshTarget target = scope.machines.targets().get(node.name);
            if (target == null || record != null && record.work() == MachineRuns.Work.JOIN && !record.isDue(scope.now)) {
                continue;
            }
            JoinRequest request = new JoinRequest(scope.spec().controlPlaneEndpoint, issued.token(), scope.token.caCertHashes(),
                    node.name, node.address);
            boolean lookAgain = record != null && record.state() == MachineRuns.State.BUSY;
            boolean resetFirst = record != null && record.resetFirst();
            if (runs.start(name, node.name, MachineRuns.Work.JOIN, parallelism, issued.token().id(),
                    () -> kubeadm.join(target, request, resetFirst))) {
                LOG.logf(lookAgain ? Logger.Level.DEBUG : Logger.Level.INFO, "LabCluster %s: %s %s (%s)", name,
                        lookAgain ? "looking again at" : "joining", node.name, target);
            }
        }
    }
}
