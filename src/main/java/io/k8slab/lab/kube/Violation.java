package io.k8slab.lab.kube;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One reason a spec cannot be acted on: the field path (as in {@code spec.peers[rt-01].holdTime}), a
 * CamelCase reason for conditions and events, and a message a person can act on, naming the offending value.
 */
public record Violation(String field, String reason, String message) {

    /** All violations as one condition message, each prefixed by its field. */
    public static String summarize(List<Violation> violations) {
        return violations.stream().map(v -> v.field() + ": " + v.message()).collect(Collectors.joining("; "));
    }
}
