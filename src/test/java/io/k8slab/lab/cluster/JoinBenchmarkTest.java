package io.k8slab.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.k8slab.lab.api.v1alpha1.LabClusterConditions;
import io.k8slab.lab.bench.BenchReport;
import io.k8slab.lab.join.FakeMachine;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.testing.LocalOperator;

/**
 * A report, not a timed test: 50 test machines whose kubeadm join takes 2 s each, joined at several parallelisms.
 * Expected: about ceil(50 / parallelism) x 2 s, not 50 x 2 s. Writes target/bench/join.md and records the figures
 * in {@link BenchReport}. Tagged {@code bench}, so it runs with {@code make bench}, not with the tests.
 */
@Tag("bench")
class JoinBenchmarkTest {

    private static final int NODES = 50;
    private static final Duration JOIN_TIME = Duration.ofSeconds(2);

    @Test
    void fiftyNodesJoinInBatchesOfTheParallelism() throws Exception {
        List<String> rows = new ArrayList<>();
        int block = 60;
        for (int parallelism : new int[] { 5, 10, 25, 50 }) {
            try (LabFixture lab = LabFixture.start("bench-" + parallelism, block++, NODES);
                    LocalOperator operator = new LocalOperator(List.of(LabFixture.reconciler()))) {
                lab.machines.forEach(m -> m.kubeadm.joinTime = JOIN_TIME);
                Instant start = Instant.now();
                lab.apply(lab.cluster(spec -> spec.join.parallelism = parallelism));
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100)).until(() -> lab.get().getStatus() != null
                        && Conditions.isTrue(lab.get().getStatus().conditions, LabClusterConditions.READY));
                Duration ready = Duration.between(start, Instant.now());

                assertThat(lab.machines).allSatisfy(m -> assertThat(m.joins()).hasSize(1));
                List<FakeMachine.Run> runs = lab.machines.stream().map(m -> m.joins().get(0)).toList();
                Instant firstStart = runs.stream().map(FakeMachine.Run::start).min(Comparator.naturalOrder()).orElseThrow();
                Instant lastEnd = runs.stream().map(FakeMachine.Run::end).max(Comparator.naturalOrder()).orElseThrow();
                Duration joining = Duration.between(firstStart, lastEnd);
                long batches = (NODES + parallelism - 1) / parallelism;
                Duration expected = JOIN_TIME.multipliedBy(batches);
                Duration busy = runs.stream().map(r -> Duration.between(r.start(), r.end())).reduce(Duration.ZERO, Duration::plus);
                // slot time not spent in kubeadm: SSH login, the checks before the join, the reconcile that starts the next
                Duration idlePerJoin = joining.multipliedBy(Math.min(parallelism, NODES)).minus(busy).dividedBy(NODES);
                rows.add("| %d | %d | %.1f s | %.1f s | %.1f s | %.2f s | %.0f ms |".formatted(parallelism, batches, seconds(expected),
                        seconds(joining), seconds(ready), seconds(busy.dividedBy(NODES)), seconds(idlePerJoin) * 1000));
                BenchReport.record("Joining workers", NODES + " nodes x " + JOIN_TIME.toSeconds() + " s join, parallelism " + parallelism,
                        Map.of("expected_ms", expected.toMillis(), "joining_ms", joining.toMillis(), "apply_to_ready_ms", ready.toMillis(),
                                "idle_slot_ms_per_join", idlePerJoin.toMillis()));
            }
        }
        Path report = Path.of("target", "bench", "join.md");
        Files.createDirectories(report.getParent());
        Files.writeString(report, """
                # Joining %d nodes whose kubeadm join takes %d s

                Test machines are in-process SSH servers on loopback; each join authenticates to the real API server
                with the issued token and registers its Node. Serial would take %d s.

                | parallelism | batches | expected ceil(%d/p) x %d s | first join start to last join end | apply to Ready=True | kubeadm run (mean) | idle slot time per join |
                | --- | --- | --- | --- | --- | --- | --- |
                %s
                """.formatted(NODES, JOIN_TIME.toSeconds(), NODES * JOIN_TIME.toSeconds(), NODES, JOIN_TIME.toSeconds(),
                String.join("\n", rows)));
        System.out.println(Files.readString(report));
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
