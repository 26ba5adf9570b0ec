package io.k8slab.lab.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

import io.k8slab.lab.join.MachineRuns;

/** When to look again without an event: a retry coming due, a drain to re-check, a token to renew, a missing prerequisite. Pure. */
final class NextLook {

    /** Neither the SSH Secret (its known_hosts) nor the published CA is watched: while one is missing, look again this often. */
    static final Duration BLOCKED_RECHECK = Duration.ofSeconds(30);

    private NextLook() {
    }

    /** {@code records}: the machine runs' bookkeeping; {@code recheck}: how often a drain in progress is looked at. */
    static Optional<Duration> after(LabClusterScope scope, Map<String, MachineRuns.Record> records, Duration recheck) {
        Instant now = scope.now;
        Stream<Duration> retries = records.values().stream()
                .filter(r -> !r.isRunning() && r.retryAt() != null && r.retryAt().isAfter(now))
                .map(r -> Duration.between(now, r.retryAt()));
        Stream<Duration> drains = scope.removals.isEmpty() ? Stream.empty() : Stream.of(recheck);
        Stream<Duration> renewal = scope.token.token().map(t -> Duration.between(now, t.renewAt(scope.settings.tokenTTL()))).stream();
        Stream<Duration> blocked = scope.token.blocked().isPresent() || !scope.machines.hostKeyWaits().isEmpty()
                ? Stream.of(BLOCKED_RECHECK) : Stream.empty();
        return Stream.of(retries, drains, renewal, blocked).flatMap(Function.identity())
                .map(d -> d.isNegative() ? Duration.ZERO : d)
                .min(Duration::compareTo);
    }
}
