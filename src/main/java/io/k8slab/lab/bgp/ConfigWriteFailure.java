package io.k8slab.lab.bgp;

import java.util.Optional;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8slab.lab.metallb.ResolvedTarget;

/**
 * Why MetalLB's configuration could not be written, as a {@code ConfigApplied=False} reason and message: a missing
 * namespace by name ({@code install: false} leaves creating it to the user), any other refusal with the API
 * server's own reason. A conflict is not a failure (the reconcile is retried against the newer object), and neither
 * is a server that did not answer (the status could not be written either): those stay exceptions.
 */
record ConfigWriteFailure(String reason, String message) {

    static final String NAMESPACE_NOT_FOUND = "NamespaceNotFound";

    static Optional<ConfigWriteFailure> of(KubernetesClientException e, ResolvedTarget target) {
        Status status = e.getStatus();
        int code = e.getCode();
        if (code <= 0 || code == 409 || status == null) {
            return Optional.empty();
        }
        boolean namespaceMissing = code == 404 && status.getDetails() != null && "namespaces".equals(status.getDetails().getKind());
        if (namespaceMissing) {
            return Optional.of(new ConfigWriteFailure(NAMESPACE_NOT_FOUND, "namespace " + status.getDetails().getName()
                    + " (spec.metallb.namespace) does not exist: MetalLB's configuration is written there once it does (checked again every "
                    + ConfigWritePhase.WRITE_RECHECK.toSeconds() + "s); create it, or install MetalLB there"));
        }
        String reason = status.getReason() == null || status.getReason().isBlank() ? "APIError" : status.getReason();
        return Optional.of(new ConfigWriteFailure(reason, "writing MetalLB's configuration for " + target + " failed: " + code + " "
                + (status.getMessage() == null ? reason : status.getMessage())));
    }
}
