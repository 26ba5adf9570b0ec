package io.k8slab.lab.bgp;

import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.kube.client.EventRecorder;
import io.k8slab.lab.metrics.LabMetrics;

/**
 * A configuration not applied is counted, and where a person should hear of it told in a Warning Event, once per
 * distinct problem of a pool: only while the pool's condition does not say it yet, not on every resync.
 */
final class Refusals {

    private final LabMetrics metrics;

    Refusals(LabMetrics metrics) {
        this.metrics = metrics;
    }

    /** Counts the refusal the condition {@code type} will carry. */
    void count(BgpPeerPool pool, String type, String reason, String message) {
        if (isNew(pool, type, message)) {
            metrics.configRefused(reason);
        }
    }

    /** Counts it and tells it in a Warning Event. */
    void warn(BgpPeerPool pool, EventRecorder events, String type, String reason, String message) {
        if (isNew(pool, type, message)) {
            events.warning(pool, reason, message);
            metrics.configRefused(reason);
        }
    }

    private static boolean isNew(BgpPeerPool pool, String type, String message) {
        return pool.getStatus() == null || Conditions.find(pool.getStatus().conditions, type)
                .map(c -> !message.equals(c.getMessage())).orElse(true);
    }
}
