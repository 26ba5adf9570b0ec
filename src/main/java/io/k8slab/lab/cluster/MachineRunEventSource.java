package io.k8slab.lab.cluster;

import java.util.function.Consumer;

import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.k8slab.lab.api.v1alpha1.LabCluster;

/**
 * Wakes the reconciler when a machine run (a kubeadm join or reset) finishes on its executor, and ties that executor to the controller's
 * life: stopping the controller stops the runs, and a deleted LabCluster's runs are cancelled.
 */
final class MachineRunEventSource extends SimpleInboundEventSource<LabCluster> implements ResourceEventAware<LabCluster> {

    private final Consumer<String> onDeleted;
    private final Runnable onStop;

    MachineRunEventSource(Consumer<String> onDeleted, Runnable onStop) {
        super("machine-runs");
        this.onDeleted = onDeleted;
        this.onStop = onStop;
    }

    @Override
    public void onResourceDeleted(LabCluster cluster) {
        onDeleted.accept(cluster.getMetadata().getName());
    }

    @Override
    public void stop() throws OperatorException {
        super.stop();
        onStop.run();
    }
}
