package io.k8slab.lab.kube.client;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Whether a freshly computed status differs from the stored one. Reconcilers write status only when it does,
 * so a resync with nothing changed sends no request to the API server.
 */
public final class StatusDiff {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private StatusDiff() {
    }

    /** Compares the two as the API server would store them (JSON trees), not by Java identity. */
    public static boolean changed(Object stored, Object computed) {
        if (stored == null || computed == null) {
            return stored != computed;
        }
        return !SERIALIZATION.convertValue(stored, JsonNode.class)
                .equals(SERIALIZATION.convertValue(computed, JsonNode.class));
    }
}
