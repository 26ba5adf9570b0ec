package io.k8slab.lab.metallb.apply;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.k8slab.lab.metallb.ResolvedTarget;

/**
 * When to read MetalLB's components back and compare them with the release ({@link MetalLbInstallation#ensure}:
 * one GET per component). The controller Deployment and the speaker DaemonSet are watched, so a deleted or edited
 * one shows in the informer cache and triggers a check at once; the namespace, service accounts and RBAC are not
 * watched and are checked at most every {@link #interval}. Without this, the router refresh (every 10 s) would
 * read ten objects each time.
 */
public final class InstallationChecks {

    /** As the reconciler's maximum interval: an unwatched component deleted by hand is back within it. */
    public static final Duration INTERVAL = Duration.ofMinutes(5);

    private final Clock clock;
    private final Duration interval;
    private final Map<ResolvedTarget, Instant> lastCheck = new ConcurrentHashMap<>();

    public InstallationChecks(Clock clock, Duration interval) {
        this.clock = clock;
        this.interval = interval;
    }

    /** A check is due the first time, after the interval, or when a watched workload is missing or differs. */
    public boolean due(ResolvedTarget target, Optional<Deployment> controller, Optional<DaemonSet> speaker) {
        Instant last = lastCheck.get(target);
        return last == null || !clock.instant().isBefore(last.plus(interval))
                || !MetalLbInstallation.workloadsAsReleased(target, controller, speaker);
    }

    /** Everything was read back and put as released. */
    public void checked(ResolvedTarget target) {
        lastCheck.put(target, clock.instant());
    }
}
