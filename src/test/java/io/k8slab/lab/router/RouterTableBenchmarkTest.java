package io.k8slab.lab.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;
import io.k8slab.lab.api.v1alpha1.RouterAPI;
import io.k8slab.lab.bench.BenchReport;
import io.k8slab.lab.router.gobgp.GobgpRouterClient;
import io.k8slab.lab.routes.ExpectedRoutes;
import io.k8slab.lab.routes.PeerRoutes;
import io.k8slab.lab.routes.RouterSurvey;
import io.k8slab.lab.routes.RoutesFixtures;

/**
 * {@code make bench}: the router survey of one BgpPeerPool against the real rt-01 (gobgpd in its network namespace,
 * over its TLS front) holding {@value #UNRELATED} routes that are not the pool's, injected with {@code gobgp mrt
 * inject global}. The survey asks only for the pool's prefixes, so its time and the heap it leaves should not follow
 * the table. Reported beside it, as the reference: one read of the whole table, which is what the survey did before.
 * {@code -Dbench.routerRoutes} and {@code -Dbench.iterations} lower the sizes for a quick look.
 */
@Tag("bench")
class RouterTableBenchmarkTest {

    static final int UNRELATED = Integer.getInteger("bench.routerRoutes", 100_000);
    private static final int ITERATIONS = Integer.getInteger("bench.iterations", 40);
    private static final Pattern DESTINATIONS = Pattern.compile("Destination: (\\d+)");

    @Test
    void surveyReadsThePoolsPrefixesNotTheRoutersTable() throws Exception {
        List<String> workers = List.of(GobgpRouterClientNetnsTest.NODE1, GobgpRouterClientNetnsTest.NODE2, GobgpRouterClientNetnsTest.NODE3);
        try (LabNetwork lab = LabNetwork.start(workers, workers);
                GobgpRouterClient router = GobgpRouterClient.connect(lab.routerApi(), GobgpRouterClient.DEFAULT_DEADLINE, lab.operatorTls())) {
            lab.workers().forEach(worker -> worker.announce(GobgpRouterClientNetnsTest.PREFIX));
            Path mrt = Files.createTempFile("rt01-table", ".mrt");
            try {
                // 11.0.0.0/24 onwards: nowhere near the pool's 172.17.254.0/24; originated by an AS of their own.
                MrtRib.write(mrt, "11.0.0.0", UNRELATED, 65100, LabNetwork.ROUTER_ADDRESS);
                lab.router().gobgp("mrt", "inject", "global", mrt.toString());
            } finally {
                Files.delete(mrt);
            }
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> destinations(lab) >= UNRELATED);

            BgpPeerPool pool = pool(lab.routerApi());
            ExpectedRoutes.Cluster cluster = GobgpRouterClientNetnsTest.cluster(workers);
            await().atMost(Duration.ofMinutes(2)).until(() -> survey(pool, cluster, router).routesConverged() == RouterSurvey.Verdict.TRUE);

            // The reference: the whole table, as the survey read it before, on a connection already open.
            List<Double> whole = new ArrayList<>();
            int wholeRoutes = 0;
            try (GobgpRouterClient patient = GobgpRouterClient.connect(lab.routerApi(), Duration.ofSeconds(120), lab.operatorTls())) {
                patient.listPeers();
                for (int i = 0; i < 3; i++) {
                    long start = System.nanoTime();
                    wholeRoutes = patient.listRoutes().size();
                    whole.add((System.nanoTime() - start) / 1e6);
                }
            }

            long heapBefore = heapAfterGc();
            List<Double> refresh = new ArrayList<>();
            RouterSurvey.Report last = null;
            for (int i = 0; i < ITERATIONS; i++) {
                long start = System.nanoTime();
                last = survey(pool, cluster, router);
                refresh.add((System.nanoTime() - start) / 1e6);
            }
            long heapAfter = heapAfterGc();

            assertThat(last.routesConverged()).isEqualTo(RouterSurvey.Verdict.TRUE);
            assertThat(last.counts().converged).isEqualTo(1);
            assertThat(wholeRoutes).as("the table does hold the unrelated routes").isGreaterThanOrEqualTo(UNRELATED);
            var summary = BenchReport.Summary.of(refresh);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("router routes", wholeRoutes);
            figures.put("survey median ms", Math.round(summary.median() * 10) / 10.0);
            figures.put("survey p95 ms (goal < 100)", Math.round(summary.p95() * 10) / 10.0);
            figures.put("samples", summary.samples());
            figures.put("bench JVM heap after GC before bytes", heapBefore);
            figures.put("bench JVM heap after GC after bytes", heapAfter);
            figures.put("whole-table read (as before) median ms", Math.round(BenchReport.Summary.of(whole).median() * 10) / 10.0);
            BenchReport.record("7. Router table", "survey of one pool, rt-01 holding " + UNRELATED + " unrelated routes", figures);
        }
    }

    private static RouterSurvey.Report survey(BgpPeerPool pool, ExpectedRoutes.Cluster cluster, RouterClient router) {
        return RouterSurvey.survey(PeerRoutes.of(pool, cluster), cluster, api -> router, null);
    }

    private static BgpPeerPool pool(String routerApi) {
        BgpPeerPoolSpec spec = RoutesFixtures.referenceSpec();
        spec.peers.get(0).router = new RouterAPI();
        spec.peers.get(0).router.address = routerApi;
        BgpPeerPool pool = new BgpPeerPool();
        pool.getMetadata().setName("lab");
        pool.setSpec(spec);
        return pool;
    }

    private static int destinations(LabNetwork lab) {
        Matcher matcher = DESTINATIONS.matcher(lab.router().gobgp("global", "rib", "summary", "-a", "ipv4"));
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
