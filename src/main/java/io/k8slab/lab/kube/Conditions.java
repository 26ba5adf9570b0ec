package io.k8slab.lab.kube;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

/** Kubernetes-style conditions: one per type, and lastTransitionTime moves only when the status does. */
public final class Conditions {

    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    private Conditions() {
    }

    /** Sets condition {@code type} in {@code conditions}, keeping its transition time when the status is unchanged. */
    public static void set(List<Condition> conditions, String type, String status, String reason, String message,
            Long generation, Instant now) {
        Optional<Condition> previous = find(conditions, type);
        String transitionTime = previous.filter(c -> status.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
        Condition condition = new ConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(transitionTime)
                .build();
        previous.ifPresentOrElse(c -> conditions.set(conditions.indexOf(c), condition), () -> conditions.add(condition));
    }

    /** Shorthand for a boolean condition. */
    public static void set(List<Condition> conditions, String type, boolean status, String reason, String message,
            Long generation, Instant now) {
        set(conditions, type, status ? TRUE : FALSE, reason, message, generation, now);
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
    }
}
