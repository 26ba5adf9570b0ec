package io.k8slab.lab.cluster;

import java.util.Collection;
import java.util.List;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8slab.lab.join.StderrScrubber;
import io.k8slab.lab.kube.client.FailureMessage;

/**
 * An unexpected failure in a phase, with a message fit for status: the phase's name and what failed, scrubbed of
 * the secrets the reconcile held and of anything shaped like a bootstrap token. It carries the failure's stack
 * trace for the log but not the failure itself, whose message JOSDK would log unscrubbed.
 */
final class PhaseFailure extends RuntimeException {

    private static final int MAX_REASON = 300;

    private final boolean conflict;

    PhaseFailure(String phase, RuntimeException cause, Collection<String> secrets) {
        super(phase + " failed: " + describe(cause, secrets));
        setStackTrace(cause.getStackTrace());
        this.conflict = FailureMessage.isConflict(cause);
    }

    /**
     * What went wrong in words without secrets: the API server's reason for a failed call (never the request), else
     * the exception's type and the first line of its message.
     */
    static String describe(Exception e, Collection<String> secrets) {
        if (e instanceof KubernetesClientException api) {
            return api.getStatus() == null && api.getCode() <= 0 ? "a call to the API server got no answer"
                    : "a call to the API server failed: " + StatusText.apiReason(api);
        }
        String message = e.getMessage() == null ? "" : e.getMessage().strip().split("\\R", 2)[0];
        String scrubbed = StderrScrubber.scrub(message, secrets);
        if (scrubbed.length() > MAX_REASON) {
            scrubbed = scrubbed.substring(0, MAX_REASON) + "…";
        }
        return e.getClass().getSimpleName() + (scrubbed.isEmpty() ? "" : ": " + scrubbed);
    }

    /** Whether {@code e} is the API server refusing a write computed from a stale object (a phase's failure keeps that, not its cause). */
    static boolean isConflict(Throwable e) {
        return e instanceof PhaseFailure failure ? failure.conflict : FailureMessage.isConflict(e);
    }

    static String describe(Exception e) {
        return describe(e, List.of());
    }
}
