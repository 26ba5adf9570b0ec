package io.k8slab.lab.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.k8slab.lab.join.MachineRuns.Outcome;
import io.k8slab.lab.join.MachineRuns.Record;
import io.k8slab.lab.join.MachineRuns.State;
import io.k8slab.lab.join.MachineRuns.Work;
import io.k8slab.lab.kube.Backoff;

class MachineRunsTest {

    private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
    private static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5));
    private static final Duration RECHECK = Duration.ofSeconds(5);

    private final BlockingQueue<String> finished = new LinkedBlockingQueue<>();
    private final MachineRuns runs = new MachineRuns(MachineRuns.defaultExecutor(), Clock.fixed(NOW, ZoneOffset.UTC), BACKOFF, RECHECK, Duration.ofMinutes(5), finished::add);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        runs.close();
    }

    private MachineRuns.Task blocked(Outcome outcome) {
        return () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return outcome;
        };
    }

    private Record finish(String node, Outcome outcome) throws InterruptedException {
        assertThat(runs.start("lab", node, Work.JOIN, 3, "tokenid", () -> outcome)).isTrue();
        assertThat(finished.poll(5, TimeUnit.SECONDS)).isEqualTo("lab");
        return runs.records("lab").get(node);
    }

    @Test
    void runsAtMostTheLimitPerClusterAndNeverTheSameNodeTwice() {
        Outcome done = Outcome.done("joined", "SHA256:k");
        assertThat(runs.start("lab", "a", Work.JOIN, 2, "t1", blocked(done))).isTrue();
        assertThat(runs.start("lab", "a", Work.JOIN, 2, "t1", blocked(done))).as("already running").isFalse();
        assertThat(runs.start("lab", "b", Work.JOIN, 2, "t1", blocked(done))).isTrue();
        assertThat(runs.start("lab", "c", Work.JOIN, 2, "t1", blocked(done))).as("limit reached").isFalse();
        assertThat(runs.start("other", "c", Work.JOIN, 2, "t2", blocked(done))).as("limits are per cluster").isTrue();

        assertThat(runs.running("lab")).isEqualTo(2);
        assertThat(runs.tokensInUse("lab")).isEqualTo(Set.of("t1"));
        assertThat(runs.records("lab").get("a")).satisfies(r -> {
            assertThat(r.state()).isEqualTo(State.RUNNING);
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(r.lastAttempt()).isEqualTo(NOW);
        });
    }

    @Test
    void aFailureWaitsOutItsBackoffAndCountsAnAttempt() throws InterruptedException {
        Record first = finish("a", Outcome.failed("kubeadm join failed", "SHA256:k"));
        assertThat(first.state()).isEqualTo(State.FAILED);
        assertThat(first.attempts()).isEqualTo(1);
        assertThat(first.retryAt()).isEqualTo(NOW.plusSeconds(10));
        assertThat(first.hostKeyFingerprint()).isEqualTo("SHA256:k");
        assertThat(first.isDue(NOW)).isFalse();
        assertThat(first.isDue(NOW.plusSeconds(10))).isTrue();

        Record second = finish("a", Outcome.failed("again", null));
        assertThat(second.attempts()).isEqualTo(2);
        assertThat(second.retryAt()).isEqualTo(NOW.plusSeconds(20));
        assertThat(second.hostKeyFingerprint()).as("a key once seen is kept").isEqualTo("SHA256:k");
        assertThat(runs.tokensInUse("lab")).isEmpty();
    }

    @Test
    void aBusyMachineIsLookedAtAgainSoonWithoutCountingAnAttempt() throws InterruptedException {
        Record busy = finish("a", Outcome.busy("kubeadm is already running", "SHA256:k"));
        assertThat(busy.state()).isEqualTo(State.BUSY);
        assertThat(busy.attempts()).isZero();
        assertThat(busy.retryAt()).isEqualTo(NOW.plus(RECHECK));

        Record done = finish("a", Outcome.done("joined", "SHA256:k"));
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.retryAt()).as("the deadline for the Node to register").isEqualTo(NOW.plus(Duration.ofMinutes(5)));
        assertThat(done.isDue(NOW.plusSeconds(3600))).isFalse();
    }

    @Test
    void aJoinWhoseNodeNeverRegistersFailsAtItsDeadlineAndTheRetryResetsFirst() throws InterruptedException {
        Record done = finish("a", Outcome.done("kubeadm join succeeded", "SHA256:k"));
        assertThat(done.resetFirst()).isFalse();

        assertThat(runs.expireUnregistered("lab", "a", NOW.plus(Duration.ofMinutes(4)), "not registered")).as("before the deadline").isFalse();
        assertThat(runs.expireUnregistered("lab", "a", NOW.plus(Duration.ofMinutes(5)), "not registered")).isTrue();
        Record failed = runs.records("lab").get("a");
        assertThat(failed.state()).isEqualTo(State.FAILED);
        assertThat(failed.message()).isEqualTo("not registered");
        assertThat(failed.resetFirst()).isTrue();
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(runs.expireUnregistered("lab", "a", NOW.plus(Duration.ofMinutes(9)), "again")).as("only a DONE join expires").isFalse();

        Record retried = finish("a", Outcome.done("joined again", "SHA256:k"));
        assertThat(retried.resetFirst()).as("a fresh run starts clean").isFalse();
        assertThat(retried.attempts()).isEqualTo(2);
    }

    @Test
    void anotherKindOfWorkStartsItsOwnCount() throws InterruptedException {
        finish("a", Outcome.failed("join failed", "SHA256:k"));
        assertThat(runs.start("lab", "a", Work.RESET, 3, null, () -> Outcome.done("reset", "SHA256:k"))).isTrue();
        assertThat(finished.poll(5, TimeUnit.SECONDS)).isEqualTo("lab");
        assertThat(runs.records("lab").get("a")).satisfies(r -> {
            assertThat(r.work()).isEqualTo(Work.RESET);
            assertThat(r.attempts()).isEqualTo(1);
        });
    }

    @Test
    void aThrowingTaskBecomesAFailure() throws InterruptedException {
        assertThat(runs.start("lab", "a", Work.JOIN, 3, "t", () -> {
            throw new IllegalStateException("boom");
        })).isTrue();
        assertThat(finished.poll(5, TimeUnit.SECONDS)).isEqualTo("lab");
        assertThat(runs.records("lab").get("a").message()).isEqualTo("internal error: IllegalStateException");
    }

    @Test
    void retainKeepsRunningWorkAndSeedsNeverOverwrite() throws InterruptedException {
        finish("done", Outcome.done("joined", null));
        runs.start("lab", "running", Work.JOIN, 3, "t", blocked(Outcome.done("joined", null)));
        runs.retain("lab", Set.of());
        assertThat(runs.records("lab")).containsOnlyKeys("running");

        Record seed = new Record(Work.JOIN, State.FAILED, 4, NOW, "from status", null, NOW, null, false);
        runs.seed("lab", "running", seed);
        runs.seed("lab", "restored", seed);
        assertThat(runs.records("lab").get("running").state()).isEqualTo(State.RUNNING);
        assertThat(runs.records("lab").get("restored")).isEqualTo(seed);

        runs.forget("lab");
        assertThat(runs.records("lab")).isEmpty();
        assertThat(runs.running("lab")).isZero();
    }
}
