package io.k8slab.lab.bgp;

import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.CONFIG_APPLIED;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.METALLB_AVAILABLE;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.PEERS_ESTABLISHED;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.READY;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.RECONCILE_ERROR;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.ROUTES_CONVERGED;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.VALID;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.WEBHOOK_NOT_READY;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolStatus;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.kube.Violation;
import io.k8slab.lab.kube.client.FailureMessage;
import io.k8slab.lab.metallb.Ownership;
import io.k8slab.lab.metallb.PoolUsage;
import io.k8slab.lab.routes.RouterSurvey;

/**
 * Builds a BgpPeerPool's status, every condition and summary field, from what one reconcile's phases found
 * ({@link BgpPeerPoolScope}), or from the exception that ended it. Nothing else sets a BgpPeerPool's conditions.
 *
 * <p>Conditions are set in one order (Valid, ConfigApplied, MetalLBAvailable, PeersEstablished, RoutesConverged,
 * Ready) and keep their place in the list: Ready names the first of the others that is not True.
 */
final class BgpPeerPoolStatusAggregator {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private BgpPeerPoolStatusAggregator() {
    }

    static BgpPeerPoolStatus status(BgpPeerPoolScope scope) {
        BgpPeerPool pool = scope.pool;
        BgpPeerPoolStatus status = new BgpPeerPoolStatus();
        if (pool.getStatus() != null) {
            status.conditions = new ArrayList<>(pool.getStatus().conditions);
        }
        Long generation = pool.getMetadata().getGeneration();
        status.observedGeneration = generation;
        Instant now = scope.now;

        if (scope.valid()) {
            Conditions.set(status.conditions, VALID, true, "Valid", "the spec passed MetalLB's and the lab's rules", generation, now);
        } else {
            Conditions.set(status.conditions, VALID, false, scope.violations.get(0).reason(), Violation.summarize(scope.violations),
                    generation, now);
        }
        configApplied(scope, status, generation);

        metalLbAvailable(scope, status, generation);

        RouterSurvey.Report routing = scope.routing;
        status.peerStatuses = routing.peers();
        status.routeStatuses = routing.routes();
        status.routeCounts = routing.counts();
        status.peers = routing.peersSummary();
        status.routes = routing.routesSummary();
        verdict(status, PEERS_ESTABLISHED, routing.sessions(), "AllEstablished", "SessionsDown",
                "sessions established: " + routing.peersSummary(), routing, generation, now);
        verdict(status, ROUTES_CONVERGED, routing.routesConverged(), "Converged", "RoutesNotConverged",
                "routes converged: " + routing.routesSummary(), routing, generation, now);

        status.addressPoolStatuses = scope.usage;
        status.ips = PoolUsage.summary(scope.usage).orElse(null);

        boolean routingOk = routing.sessions() != RouterSurvey.Verdict.FALSE && routing.sessions() != RouterSurvey.Verdict.UNKNOWN
                && routing.routesConverged() != RouterSurvey.Verdict.FALSE && routing.routesConverged() != RouterSurvey.Verdict.UNKNOWN;
        boolean ready = scope.valid() && Conditions.isTrue(status.conditions, CONFIG_APPLIED) && scope.availability.available() && routingOk;
        Conditions.set(status.conditions, READY, ready, ready ? "Ready" : firstFalse(status),
                ready ? "MetalLB is configured and running" + (routing.sessions() == RouterSurvey.Verdict.TRUE ? "; routes converged" : "")
                        : "see condition " + firstFalse(status),
                generation, now);
        return status;
    }

    /**
     * The pool's last status with Ready False, reason {@value io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions#RECONCILE_ERROR},
     * naming the phase that threw and why; empty for a conflict, which is no failure (JOSDK retries against the
     * newer object and writes the status then).
     */
    static Optional<BgpPeerPoolStatus> failed(BgpPeerPool pool, Exception e, Instant now) {
        if (FailureMessage.isConflict(e)) {
            return Optional.empty();
        }
        BgpPeerPoolStatus status = pool.getStatus() == null ? new BgpPeerPoolStatus()
                : SERIALIZATION.convertValue(pool.getStatus(), BgpPeerPoolStatus.class);
        String message = e instanceof BgpPeerPoolPhase.Failed failed
                ? failed.phase.description + " failed: " + FailureMessage.of(failed.getCause())
                : "reconcile failed: " + FailureMessage.of(e);
        Conditions.set(status.conditions, READY, false, RECONCILE_ERROR, message + " (retried with backoff)",
                pool.getMetadata().getGeneration(), now);
        return Optional.of(status);
    }

    /** ConfigApplied: whether this pool's configuration is in force in MetalLB, and whose spec it is. */
    private static void configApplied(BgpPeerPoolScope scope, BgpPeerPoolStatus status, Long generation) {
        BgpPeerPool pool = scope.pool;
        Instant now = scope.now;
        if (scope.mode == null) {
            // Without a version, or in a namespace it may not touch, the operator writes nothing; whatever was in force stays.
            boolean wasApplied = pool.getStatus() != null && Conditions.isTrue(pool.getStatus().conditions, CONFIG_APPLIED);
            Conditions.set(status.conditions, CONFIG_APPLIED, wasApplied, wasApplied ? "LastValidConfigInForce" : "NeverApplied",
                    wasApplied ? "the spec is invalid; the last valid spec stays in force" : "no valid spec of this pool was ever applied",
                    generation, now);
        } else if (scope.configRefusal.isPresent()) {
            status.configHash = pool.getStatus() == null ? null : pool.getStatus().configHash;
            BgpPeerPoolScope.ConfigRefusal refusal = scope.configRefusal.get();
            Conditions.set(status.conditions, CONFIG_APPLIED, false, refusal.reason(), refusal.message(), generation, now);
        } else {
            var outcome = scope.written;
            status.configHash = outcome.hash();
            boolean valid = scope.valid();
            Conditions.set(status.conditions, CONFIG_APPLIED, outcome.poolInForce(),
                    !outcome.poolInForce() ? "NeverApplied" : valid ? "Applied" : "LastValidConfigInForce",
                    !outcome.poolInForce() ? "no valid spec of this pool was ever applied"
                            : valid ? "in force in " + scope.target : "the spec is invalid; the last valid spec stays in force in " + scope.target,
                    generation, now);
        }
        scope.metalLbRejection.ifPresent(message -> Conditions.set(status.conditions, CONFIG_APPLIED, false,
                ConfigWritePhase.METALLB_REJECTED, message, generation, now));
    }

    /** MetalLBAvailable: whether MetalLB's controller and speakers run, or why it was not installed or does not answer yet. */
    private static void metalLbAvailable(BgpPeerPoolScope scope, BgpPeerPoolStatus status, Long generation) {
        var availability = scope.availability;
        if (scope.installNotOwned.isPresent()) {
            Conditions.set(status.conditions, METALLB_AVAILABLE, false, Ownership.NOT_OWNED,
                    "not installed: " + scope.installNotOwned.get(), generation, scope.now);
        } else if (webhookNotReady(scope).isPresent()) {
            Conditions.set(status.conditions, METALLB_AVAILABLE, false, WEBHOOK_NOT_READY,
                    availability.describe() + "; " + webhookNotReady(scope).get(), generation, scope.now);
        } else {
            Conditions.set(status.conditions, METALLB_AVAILABLE, availability.available(),
                    availability.available() ? "Available" : "NotAvailable", availability.describe(), generation, scope.now);
        }
        status.speakers = availability.speakersReady() + "/" + availability.speakersDesired();
    }

    private static Optional<String> webhookNotReady(BgpPeerPoolScope scope) {
        return scope.configRefusal.filter(refusal -> WEBHOOK_NOT_READY.equals(refusal.reason()))
                .map(BgpPeerPoolScope.ConfigRefusal::message);
    }

    private static void verdict(BgpPeerPoolStatus status, String type, RouterSurvey.Verdict verdict, String trueReason,
            String falseReason, String message, RouterSurvey.Report routing, Long generation, Instant now) {
        switch (verdict) {
            case TRUE -> Conditions.set(status.conditions, type, Conditions.TRUE, trueReason, message, generation, now);
            case FALSE -> Conditions.set(status.conditions, type, Conditions.FALSE, falseReason, message, generation, now);
            case UNKNOWN -> Conditions.set(status.conditions, type, Conditions.UNKNOWN, routing.unreachableReason(),
                    routing.unreachable(), generation, now);
            case NOT_OBSERVED -> Conditions.set(status.conditions, type, Conditions.UNKNOWN, "NoRouterAPI",
                    "no peer names its router's API (spec.peers[].router)", generation, now);
        }
    }

    private static String firstFalse(BgpPeerPoolStatus status) {
        return status.conditions.stream().filter(c -> !READY.equals(c.getType()) && !Conditions.TRUE.equals(c.getStatus()))
                .map(Condition::getType).findFirst().orElse("Unknown");
    }
}
