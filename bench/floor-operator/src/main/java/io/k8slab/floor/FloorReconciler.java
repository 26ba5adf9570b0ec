package io.k8slab.floor;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/** Watches ConfigMaps labelled floor-operator=true and does nothing: the stack's cost without any work. */
@ControllerConfiguration(informer = @Informer(labelSelector = "floor-operator=true"))
public class FloorReconciler implements Reconciler<ConfigMap> {

    @Override
    public UpdateControl<ConfigMap> reconcile(ConfigMap resource, Context<ConfigMap> context) {
        return UpdateControl.noUpdate();
    }
}
