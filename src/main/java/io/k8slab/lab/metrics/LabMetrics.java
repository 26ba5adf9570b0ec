package io.k8slab.lab.metrics;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.k8slab.lab.api.v1alpha1.PeerStatus;
import io.k8slab.lab.api.v1alpha1.RouteCounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The lab's own metrics, beside JOSDK's reconcile metrics, on /q/metrics (Quarkus' Prometheus registry is part of
 * {@link Metrics#globalRegistry}). Labels stay few and bounded: a BgpPeerPool's and a peer's name (a lab has a few),
 * a route state, an outcome, a condition reason the operator or the API server sets; never a Service or a node.
 *
 * <p>Gauges per pool are replaced as a whole at each report and removed with the pool, so a dropped peer leaves no
 * stale series. One instance per registry, shared by both reconcilers and the joiner.
 */
public final class LabMetrics {

    /** Histogram buckets for a kubeadm join: seconds to minutes. */
    private static final Duration[] JOIN_BUCKETS = { Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10) };
    private static final Map<MeterRegistry, LabMetrics> INSTANCES = new WeakHashMap<>();

    /** How a kubeadm join run ended: kubeadm succeeded, failed, or was already running there (looked at again later). */
    public enum JoinOutcome {
        SUCCEEDED, FAILED, BUSY;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Counter joinsStarted;
    private final Counter joinsSucceeded;
    private final Counter joinsFailed;
    private final Counter tokensIssued;
    private final Counter tokensDeleted;
    /** Gauge values by pool, then by the gauge's name and tags; the gauges read them. */
    private final Map<String, Map<GaugeKey, AtomicLong>> poolGauges = new HashMap<>();

    private record GaugeKey(String name, Tags tags) {
    }

    private LabMetrics(MeterRegistry registry) {
        this.registry = registry;
        joinsStarted = Counter.builder("lab.joins.started").description("kubeadm join runs started on machines").register(registry);
        joinsSucceeded = Counter.builder("lab.joins.succeeded").description("kubeadm join runs that succeeded").register(registry);
        joinsFailed = Counter.builder("lab.joins.failed")
                .description("kubeadm join runs that failed, and joins whose Node did not register in time").register(registry);
        tokensIssued = Counter.builder("lab.bootstrap.tokens.issued").description("kubeadm bootstrap tokens issued").register(registry);
        tokensDeleted = Counter.builder("lab.bootstrap.tokens.deleted").description("kubeadm bootstrap tokens deleted").register(registry);
    }

    /** The instance on Quarkus' registries (and on whatever else is added to the global one). */
    public static LabMetrics global() {
        return of(Metrics.globalRegistry);
    }

    public static LabMetrics of(MeterRegistry registry) {
        synchronized (INSTANCES) {
            return INSTANCES.computeIfAbsent(registry, LabMetrics::new);
        }
    }

    // ---- joins and tokens ----

    public void joinStarted() {
        joinsStarted.increment();
    }

    public void joinFinished(JoinOutcome outcome, Duration took) {
        switch (outcome) {
            case SUCCEEDED -> joinsSucceeded.increment();
            case FAILED -> joinsFailed.increment();
            case BUSY -> {
                // neither: kubeadm was already running there
            }
        }
        Timer.builder("lab.join.duration").description("How long kubeadm join runs took, by outcome")
                .tag("outcome", outcome.label()).serviceLevelObjectives(JOIN_BUCKETS).register(registry).record(took);
    }

    /** A join that succeeded but whose Node never registered: it is failed now, and retried. */
    public void joinExpired() {
        joinsFailed.increment();
    }

    public void tokenIssued() {
        tokensIssued.increment();
    }

    public void tokenDeleted() {
        tokensDeleted.increment();
    }

    // ---- MetalLB's configuration ----

    /** One object of MetalLB's configuration written: {@code mode} configmap or crd, {@code cause} change, drift or removal. */
    public void configWritten(String mode, String cause) {
        Counter.builder("lab.metallb.config.writes").description("Writes of MetalLB's configuration objects")
                .tags("mode", mode, "cause", cause).register(registry).increment();
    }

    /** A configuration not applied, once per distinct problem of a pool, by the condition's reason. */
    public void configRefused(String reason) {
        Counter.builder("lab.metallb.config.refusals")
                .description("MetalLB configurations not applied (spec refused by the operator, write refused by the API server "
                        + "or MetalLB's webhook, configuration refused by MetalLB), once per distinct problem, by reason")
                .tag("reason", Objects.requireNonNullElse(reason, "Unknown")).register(registry).increment();
    }

    // ---- BGP ----

    /** The pool's sessions per peer and its routes by state, replacing what it reported before. */
    public synchronized void bgpReport(String pool, List<PeerStatus> peers, RouteCounts routes) {
        Map<GaugeKey, Long> values = new HashMap<>();
        for (PeerStatus peer : peers) {
            Tags tags = Tags.of("pool", pool, "peer", peer.name);
            put(values, "lab.bgp.sessions.established", tags, peer.sessionsEstablished);
            put(values, "lab.bgp.sessions.expected", tags, peer.sessionsExpected);
        }
        if (routes != null) {
            put(values, "lab.routes.expected", Tags.of("pool", pool), routes.expected);
            put(values, "lab.routes", Tags.of("pool", pool, "state", "converged"), routes.converged);
            put(values, "lab.routes", Tags.of("pool", pool, "state", "partial"), routes.partial);
            put(values, "lab.routes", Tags.of("pool", pool, "state", "missing"), routes.missing);
            put(values, "lab.routes", Tags.of("pool", pool, "state", "not_received"), routes.notReceived);
            put(values, "lab.routes", Tags.of("pool", pool, "state", "unexpected"), routes.unexpected);
        }
        Map<GaugeKey, AtomicLong> gauges = poolGauges.computeIfAbsent(pool, p -> new HashMap<>());
        gauges.keySet().removeIf(key -> {
            boolean gone = !values.containsKey(key);
            if (gone) {
                registry.find(key.name()).tags(key.tags()).gauges().forEach(registry::remove);
            }
            return gone;
        });
        values.forEach((key, value) -> gauges.computeIfAbsent(key, k -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder(k.name(), holder, AtomicLong::get).description(description(k.name())).tags(k.tags())
                    .strongReference(true).register(registry);
            return holder;
        }).set(value));
    }

    /** The pool is gone: its gauges go too. */
    public synchronized void forgetPool(String pool) {
        bgpReport(pool, List.of(), null);
        poolGauges.remove(pool);
    }

    private static void put(Map<GaugeKey, Long> values, String name, Tags tags, Integer value) {
        if (value != null) {
            values.put(new GaugeKey(name, tags), value.longValue());
        }
    }

    private static String description(String name) {
        return switch (name) {
            case "lab.bgp.sessions.established" -> "BGP sessions in state Established at the peer's router";
            case "lab.bgp.sessions.expected" -> "BGP sessions there should be: one per speaker node selected for the peer";
            case "lab.routes.expected" -> "Routes the pool's Services should have at the router";
            default -> "Routes at the router by state: converged, partial, missing, not_received, unexpected";
        };
    }
}
