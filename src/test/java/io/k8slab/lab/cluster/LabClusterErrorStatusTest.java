package io.k8slab.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.k8slab.lab.api.v1alpha1.LabClusterConditions;
import io.k8slab.lab.join.LogCapture;
import io.k8slab.lab.join.MachineRuns;
import io.k8slab.lab.join.SshNodeShells;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.testing.LocalOperator;

/**
 * An unexpected failure inside a phase ends in the Ready condition (reason ReconcileError, the phase and the
 * failure named, no secret in it) instead of a silent retry loop; JOSDK retries, and the first reconcile that
 * gets through writes the whole status again. The log names the failure without the secret either. The failure is real: the executor the joins run on refuses work
 * with an exception no phase expects.
 */
class LabClusterErrorStatusTest {

    private static final Duration WAIT = Duration.ofSeconds(45);
    /** Shaped like a bootstrap token: the condition must not repeat it. */
    private static final String TOKEN_SHAPED = "abcdef.0123456789abcdef";

    @Test
    void aFailingPhaseEndsInReadyFalseWithItsReasonAndTheNextGoodReconcileClearsIt() {
        RefusingExecutor executor = new RefusingExecutor(MachineRuns.defaultExecutor());
        executor.refusing = true;
        LabClusterReconciler reconciler = new LabClusterReconciler(Clock.systemUTC(), executor, new SshNodeShells(Duration.ofSeconds(5)),
                LabFixture.BACKOFF, LabFixture.RECHECK, LabFixture.REGISTRATION);
        try (LogCapture logs = new LogCapture(); LabFixture lab = LabFixture.start("failing", 26, 1);
                LocalOperator operator = new LocalOperator(List.of(reconciler))) {
            lab.apply(lab.cluster(spec -> { }));

            Condition failed = await().atMost(WAIT).until(() -> ready(lab), c -> c != null && "ReconcileError".equals(c.getReason()));
            assertThat(failed.getStatus()).isEqualTo(Conditions.FALSE);
            assertThat(failed.getMessage()).contains("start the joins failed", "IllegalStateException", "no thread left for", "the operator retries")
                    .doesNotContain(TOKEN_SHAPED);
            assertThat(LabFixture.tokenValues()).as("a token was issued before the phase that failed").isNotEmpty()
                    .allSatisfy(token -> assertThat(failed.getMessage()).doesNotContain(token));
            assertThat(lab.get().getStatus().phase).isEqualTo("Degraded");
            assertThat(logs.lines()).as("the log names the failure").anyMatch(line -> line.contains("start the joins failed"))
                    .noneMatch(line -> line.contains(TOKEN_SHAPED));

            executor.refusing = false;
            await().atMost(WAIT).until(() -> "1/1".equals(lab.get().getStatus().ready));
            Condition cleared = await().atMost(WAIT).until(() -> ready(lab), c -> Conditions.TRUE.equals(c.getStatus()));
            assertThat(cleared.getReason()).isEqualTo("AllNodesReady");
            assertThat(lab.get().getStatus().phase).isEqualTo("Ready");
        } finally {
            executor.shutdownNow();
        }
    }

    private static Condition ready(LabFixture lab) {
        var cluster = lab.get();
        return cluster == null || cluster.getStatus() == null ? null
                : Conditions.find(cluster.getStatus().conditions, LabClusterConditions.READY).orElse(null);
    }

    /** Runs what it is given on {@code delegate}, except while {@link #refusing}: then it throws what no caller handles. */
    private static final class RefusingExecutor extends AbstractExecutorService {
        private final ExecutorService delegate;
        volatile boolean refusing;

        RefusingExecutor(ExecutorService delegate) {
            this.delegate = delegate;
        }

        @Override
        public void execute(Runnable command) {
            if (refusing) {
                throw new IllegalStateException("no thread left for " + TOKEN_SHAPED + "\nsecond line");
            }
            delegate.execute(command);
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return delegate.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return delegate.awaitTermination(timeout, unit);
        }
    }
}
