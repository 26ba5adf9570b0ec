package io.k8slab.lab.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.k8slab.lab.api.v1alpha1.PeerStatus;
import io.k8slab.lab.api.v1alpha1.RouteCounts;
import io.k8slab.lab.join.MachineRuns;
import io.k8slab.lab.kube.Backoff;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class LabMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LabMetrics metrics = LabMetrics.of(registry);

    @Test
    void joinRunsAreCountedAndTimedByOutcome() throws InterruptedException {
        CountDownLatch finished = new CountDownLatch(3);
        try (MachineRuns runs = new MachineRuns(Executors.newCachedThreadPool(), Clock.systemUTC(), new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1)),
                Duration.ofSeconds(1), Duration.ofMinutes(5), cluster -> finished.countDown(), metrics)) {
            runs.start("lab", "node-1", MachineRuns.Work.JOIN, 5, "abcdef", () -> MachineRuns.Outcome.done("joined", null));
            runs.start("lab", "node-2", MachineRuns.Work.JOIN, 5, "abcdef", () -> MachineRuns.Outcome.failed("kubeadm join failed", null));
            // A reset is no join.
            runs.start("lab", "node-3", MachineRuns.Work.RESET, 5, null, () -> MachineRuns.Outcome.done("reset", null));
            assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
            // The joined node never registers: failed too.
            assertThat(runs.expireUnregistered("lab", "node-1", Clock.systemUTC().instant().plus(Duration.ofMinutes(6)), "no Node")).isTrue();
        }

        assertThat(registry.get("lab.joins.started").counter().count()).isEqualTo(2);
        assertThat(registry.get("lab.joins.succeeded").counter().count()).isEqualTo(1);
        assertThat(registry.get("lab.joins.failed").counter().count()).isEqualTo(2);
        assertThat(registry.get("lab.join.duration").tag("outcome", "succeeded").timer().count()).isEqualTo(1);
        assertThat(registry.get("lab.join.duration").tag("outcome", "failed").timer().count()).isEqualTo(1);
    }

    @Test
    void sessionAndRouteGaugesFollowThePoolsLastReport() {
        metrics.bgpReport("lab", List.of(peer("rt-01", 2, 3), peer("rt-02", 3, 3)), counts(4, 3, 1));

        assertThat(registry.get("lab.bgp.sessions.established").tags("pool", "lab", "peer", "rt-01").gauge().value()).isEqualTo(2);
        assertThat(registry.get("lab.bgp.sessions.expected").tags("pool", "lab", "peer", "rt-01").gauge().value()).isEqualTo(3);
        assertThat(registry.get("lab.routes").tags("pool", "lab", "state", "converged").gauge().value()).isEqualTo(3);
        assertThat(registry.get("lab.routes").tags("pool", "lab", "state", "partial").gauge().value()).isEqualTo(1);
        assertThat(registry.get("lab.routes.expected").tags("pool", "lab").gauge().value()).isEqualTo(4);

        // rt-02 dropped from the spec, the router unreachable (no route counts): their series go, the rest follow.
        metrics.bgpReport("lab", List.of(peer("rt-01", 3, 3)), null);
        assertThat(registry.get("lab.bgp.sessions.established").tags("pool", "lab", "peer", "rt-01").gauge().value()).isEqualTo(3);
        assertThat(registry.find("lab.bgp.sessions.established").tags("peer", "rt-02").gauges()).isEmpty();
        assertThat(registry.find("lab.routes").gauges()).isEmpty();

        metrics.forgetPool("lab");
        assertThat(registry.find("lab.bgp.sessions.established").gauges()).isEmpty();
        assertThat(registry.find("lab.bgp.sessions.expected").gauges()).isEmpty();
    }

    @Test
    void configurationWritesAndRefusalsAreCountedByLowCardinalityLabels() {
        metrics.configWritten("configmap", "change");
        metrics.configWritten("configmap", "change");
        metrics.configWritten("crd", "drift");
        metrics.configRefused("PoolOverlap");
        metrics.tokenIssued();
        metrics.tokenDeleted();

        assertThat(registry.get("lab.metallb.config.writes").tags("mode", "configmap", "cause", "change").counter().count()).isEqualTo(2);
        assertThat(registry.get("lab.metallb.config.writes").tags("mode", "crd", "cause", "drift").counter().count()).isEqualTo(1);
        assertThat(registry.get("lab.metallb.config.refusals").tag("reason", "PoolOverlap").counter().count()).isEqualTo(1);
        assertThat(registry.get("lab.bootstrap.tokens.issued").counter().count()).isEqualTo(1);
        assertThat(registry.get("lab.bootstrap.tokens.deleted").counter().count()).isEqualTo(1);
        assertThat(LabMetrics.of(registry)).isSameAs(metrics);
    }

    private static PeerStatus peer(String name, int established, int expected) {
        PeerStatus peer = new PeerStatus();
        peer.name = name;
        peer.sessionsEstablished = established;
        peer.sessionsExpected = expected;
        return peer;
    }

    private static RouteCounts counts(int expected, int converged, int partial) {
        RouteCounts counts = new RouteCounts();
        counts.expected = expected;
        counts.converged = converged;
        counts.partial = partial;
        counts.missing = 0;
        return counts;
    }
}
