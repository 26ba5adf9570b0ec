package io.k8slab.lab.join;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import io.k8slab.lab.kube.Backoff;
import io.k8slab.lab.metrics.LabMetrics;

/**
 * The kubeadm runs on the lab's machines over SSH (a join, or the reset of a removed node), off the reconcile thread,
 * at most {@code limit} at a time per LabCluster, and keeps each node's bookkeeping: attempts, the last outcome,
 * when to retry (exponential backoff after a failure). When a run ends it calls {@code onFinished} with the
 * LabCluster's name, so the reconciler looks again.
 */
public final class MachineRuns implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MachineRuns.class);

    public enum Work { JOIN, RESET }

    /** RUNNING now; DONE (joined, or reset); BUSY (kubeadm was already running there: look again soon); FAILED. */
    public enum State { RUNNING, DONE, BUSY, FAILED }

    /** How one run ended; the message is for status and must hold no secret. */
    public record Outcome(State state, String message, String hostKeyFingerprint) {
        public static Outcome done(String message, String hostKeyFingerprint) {
            return new Outcome(State.DONE, message, hostKeyFingerprint);
        }

        public static Outcome busy(String message, String hostKeyFingerprint) {
            return new Outcome(State.BUSY, message, hostKeyFingerprint);
        }

        public static Outcome failed(String message, String hostKeyFingerprint) {
            return new Outcome(State.FAILED, message, hostKeyFingerprint);
        }
    }

    /**
     * One node's bookkeeping. {@code attempts} counts runs of {@code work} (a BUSY look does not count);
     * {@code retryAt} is when a BUSY or FAILED node may run again, and for a DONE join the deadline for its Node to
     * register; {@code tokenId} is the token a running join uses; {@code resetFirst} says the next join must start
     * with {@code kubeadm reset -f} (the last one "succeeded" but its Node never registered).
     */
    public record Record(Work work, State state, int attempts, Instant lastAttempt, String message,
            String hostKeyFingerprint, Instant retryAt, String tokenId, boolean resetFirst) {

        public boolean isRunning() {
            return state == State.RUNNING;
        }

        /** Whether it may start now: never run, or BUSY/FAILED and its wait is over. */
        public boolean isDue(Instant now) {
            return state != State.RUNNING && state != State.DONE && (retryAt == null || !now.isBefore(retryAt));
        }
    }

    /** The work itself; it reports failures as outcomes and must not throw. */
    @FunctionalInterface
    public interface Task {
        Outcome run();
    }

    private final ExecutorService executor;
    private final Clock clock;
    private final Backoff backoff;
    private final Duration recheck;
    private final Duration registration;
    private final Consumer<String> onFinished;
    private final LabMetrics metrics;
    private final Map<String, Map<String, Record>> records = new HashMap<>();
    private final Map<String, Map<String, Future<?>>> runs = new HashMap<>();

    /** {@code registration}: how long a Node may take to register after its join succeeded. */
    public MachineRuns(ExecutorService executor, Clock clock, Backoff backoff, Duration recheck, Duration registration,
            Consumer<String> onFinished) {
        this(executor, clock, backoff, recheck, registration, onFinished, LabMetrics.global());
    }

    /** {@code metrics}: where join runs are counted and timed. */
    public MachineRuns(ExecutorService executor, Clock clock, Backoff backoff, Duration recheck, Duration registration,
            Consumer<String> onFinished, LabMetrics metrics) {
        this.metrics = metrics;
        this.executor = executor;
        this.clock = clock;
        this.backoff = backoff;
        this.recheck = recheck;
        this.registration = registration;
        this.onFinished = onFinished;
    }

    /** Daemon threads, created as runs need them; the per-cluster limit bounds how many. */
    public static ExecutorService defaultExecutor() {
        AtomicInteger count = new AtomicInteger();
        return Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "lab-machine-run-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    public synchronized Map<String, Record> records(String cluster) {
        return Map.copyOf(records.getOrDefault(cluster, Map.of()));
    }

    /** Restores a node's bookkeeping from status after a restart; a record already held wins. */
    public synchronized void seed(String cluster, String node, Record record) {
        records.computeIfAbsent(cluster, c -> new HashMap<>()).putIfAbsent(node, record);
    }

    public synchronized int running(String cluster) {
        return runs.getOrDefault(cluster, Map.of()).size();
    }

    /** The ids of the tokens running joins use: they must outlive those joins. */
    public synchronized Set<String> tokensInUse(String cluster) {
        return records.getOrDefault(cluster, Map.of()).values().stream()
                .filter(r -> r.isRunning() && r.tokenId() != null)
                .map(Record::tokenId)
                .collect(Collectors.toSet());
    }

    /**
     * Starts {@code task} for {@code node} unless it is already running or {@code limit} runs of this cluster are.
     * Returns whether it started.
     */
    public synchronized boolean start(String cluster, String node, Work work, int limit, String tokenId, Task task) {
        Map<String, Future<?>> clusterRuns = runs.computeIfAbsent(cluster, c -> new HashMap<>());
        if (clusterRuns.containsKey(node) || clusterRuns.size() >= limit) {
            return false;
        }
        Map<String, Record> clusterRecords = records.computeIfAbsent(cluster, c -> new HashMap<>());
        Record previous = clusterRecords.get(node);
        boolean sameWork = previous != null && previous.work() == work;
        int attemptsBefore = sameWork ? previous.attempts() : 0;
        Record runningRecord = new Record(work, State.RUNNING, attemptsBefore + 1, clock.instant(),
                work == Work.JOIN ? "running kubeadm join" : "running kubeadm reset",
                previous == null ? null : previous.hostKeyFingerprint(), null, tokenId, false);
        try {
            clusterRuns.put(node, executor.submit(() -> finish(cluster, node, runningRecord, run(cluster, node, task))));
        } catch (RejectedExecutionException e) {
            clusterRuns.remove(node);
            return false; // shutting down
        }
        clusterRecords.put(node, runningRecord);
        if (work == Work.JOIN) {
            metrics.joinStarted();
        }
        return true;
    }

    private Outcome run(String cluster, String node, Task task) {
        try {
            return task.run();
        } catch (RuntimeException e) {
            if (!executor.isShutdown()) { // on shutdown, the SSH client stopping under a run is expected
                LOG.errorf("unexpected failure working on node %s of LabCluster %s: %s", node, cluster, e.getClass().getName());
            }
            return Outcome.failed("internal error: " + e.getClass().getSimpleName(), null);
        }
    }

    private void finish(String cluster, String node, Record started, Outcome outcome) {
        if (started.work() == Work.JOIN) {
            metrics.joinFinished(switch (outcome.state()) {
                case DONE -> LabMetrics.JoinOutcome.SUCCEEDED;
                case BUSY -> LabMetrics.JoinOutcome.BUSY;
                default -> LabMetrics.JoinOutcome.FAILED;
            }, Duration.between(started.lastAttempt(), clock.instant()));
        }
        synchronized (this) {
            runs.getOrDefault(cluster, new HashMap<>()).remove(node);
            Map<String, Record> clusterRecords = records.get(cluster);
            if (clusterRecords == null || clusterRecords.get(node) != started) {
                return; // forgotten meanwhile
            }
            Instant now = clock.instant();
            int attempts = outcome.state() == State.BUSY ? started.attempts() - 1 : started.attempts();
            Instant retryAt = switch (outcome.state()) {
                case FAILED -> now.plus(backoff.delay(attempts));
                case BUSY -> now.plus(recheck);
                case DONE -> started.work() == Work.JOIN ? now.plus(registration) : null;
                default -> null;
            };
            String fingerprint = outcome.hostKeyFingerprint() != null ? outcome.hostKeyFingerprint() : started.hostKeyFingerprint();
            clusterRecords.put(node, new Record(started.work(), outcome.state(), attempts, started.lastAttempt(),
                    outcome.message(), fingerprint, retryAt, null, false));
        }
        onFinished.accept(cluster);
    }

    /**
     * A DONE join whose Node did not register by its deadline: FAILED with {@code message}, retried with backoff,
     * and the retry resets the machine first. Returns whether it expired it (false when not DONE or not due).
     */
    public synchronized boolean expireUnregistered(String cluster, String node, Instant now, String message) {
        Map<String, Record> clusterRecords = records.get(cluster);
        Record record = clusterRecords == null ? null : clusterRecords.get(node);
        if (record == null || record.work() != Work.JOIN || record.state() != State.DONE || record.retryAt() == null
                || now.isBefore(record.retryAt())) {
            return false;
        }
        clusterRecords.put(node, new Record(Work.JOIN, State.FAILED, record.attempts(), record.lastAttempt(), message,
                record.hostKeyFingerprint(), now.plus(backoff.delay(record.attempts())), null, true));
        metrics.joinExpired();
        return true;
    }

    /** Drops the bookkeeping of nodes not in {@code keep}; a run in progress finishes first. */
    public synchronized void retain(String cluster, Set<String> keep) {
        Map<String, Future<?>> clusterRuns = runs.getOrDefault(cluster, Map.of());
        records.getOrDefault(cluster, new HashMap<>()).keySet()
                .removeIf(node -> !keep.contains(node) && !clusterRuns.containsKey(node));
    }

    /** The LabCluster is gone: stop its runs and forget it. */
    public synchronized void forget(String cluster) {
        runs.getOrDefault(cluster, Map.of()).values().forEach(run -> run.cancel(true));
        runs.remove(cluster);
        records.remove(cluster);
    }

    /** Stops every run: the SSH sessions close; kubeadm on a machine may still finish on its own. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
