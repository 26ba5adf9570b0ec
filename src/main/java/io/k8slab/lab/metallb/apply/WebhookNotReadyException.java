package io.k8slab.lab.metallb.apply;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * MetalLB (v0.13 and later) validates its resources with a webhook its controller serves; until the controller
 * answers, the API server refuses every create or update of them ({@code failurePolicy: Fail}). Not a bad spec:
 * the write is retried with backoff.
 */
public final class WebhookNotReadyException extends RuntimeException {

    public WebhookNotReadyException(String resource, KubernetesClientException cause) {
        super("MetalLB's validating webhook did not answer for " + resource + " (its controller serves it; retried): "
                + cause.getStatus().getMessage(), cause);
    }

    /** Whether the API server refused a write because an admission webhook could not be called. */
    public static boolean isWebhookCallFailure(KubernetesClientException e) {
        return e.getCode() == 500 && e.getStatus() != null && e.getStatus().getMessage() != null
                && e.getStatus().getMessage().contains("failed calling webhook");
    }
}
