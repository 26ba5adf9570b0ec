package io.k8slab.lab.kube.client;

import java.util.function.Supplier;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * How the reconcilers write status: a server-side apply patch of the status alone, and only when it changed, so a
 * resync with nothing new sends nothing.
 *
 * <p>The patch carries no spec: on Kubernetes 1.20 a status apply that includes the spec also takes ownership of
 * the spec's fields, and then the spec's own manager (kubectl, a GitOps tool) can no longer remove list items.
 * The resourceVersion makes the write fail, and the reconcile retry, when it was computed from a stale object.
 */
public final class StatusPatch {

    private StatusPatch() {
    }

    public static <S, R extends CustomResource<?, S>> UpdateControl<R> write(R resource, S status, Supplier<R> empty) {
        if (!StatusDiff.changed(resource.getStatus(), status)) {
            return UpdateControl.noUpdate();
        }
        return UpdateControl.patchStatus(patch(resource, status, empty));
    }

    /** The patch itself: the resource's name, namespace and resourceVersion, and {@code status}. */
    public static <S, R extends CustomResource<?, S>> R patch(R resource, S status, Supplier<R> empty) {
        R patch = empty.get();
        patch.setMetadata(new ObjectMetaBuilder().withName(resource.getMetadata().getName())
                .withNamespace(resource.getMetadata().getNamespace())
                .withResourceVersion(resource.getMetadata().getResourceVersion()).build());
        patch.setStatus(status);
        return patch;
    }
}
