package io.k8slab.lab.cluster;

import java.time.Duration;
import java.util.List;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8slab.lab.join.StderrScrubber;

/** How LabCluster's status and Events word durations and failed API calls. */
final class StatusText {

    private StatusText() {
    }

    /** {@code 90s}, {@code 5m}: durations as the spec writes them. */
    static String words(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds % 60 == 0 && seconds > 0 ? seconds / 60 + "m" : seconds + "s";
    }

    /** The API server's reason for a failed call, without the request (which may carry a token). */
    static String apiReason(KubernetesClientException e) {
        String reason = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : "HTTP " + e.getCode();
        return StderrScrubber.scrub(reason, List.of());
    }
}
