package io.k8slab.lab.bench;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8slab.lab.api.v1alpha1.AddressPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolStatus;
import io.k8slab.lab.bgp.BgpPeerPoolReconciler;
import io.k8slab.lab.metallb.PoolUsage;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.testing.LocalOperator;
import io.k8slab.lab.testing.Manifests;
import io.k8slab.lab.testing.TestCluster;

/**
 * {@code make bench}, pool usage at {@code bench.services} (5,000) LoadBalancer Services in one /16 pool that avoids
 * .0 and .255: the pure computation every BgpPeerPool reconcile runs, and, on the real API server with the reconciler
 * in-process, the time from applying the pool to a status counting every Service. Figures go to target/bench/report.md.
 * (OperatorBenchmarkTest's scale case with the packaged operator carries the same usage in its status.)
 */
@Tag("bench")
class PoolUsageBenchmarkTest {

    private static final int SERVICES = Integer.getInteger("bench.services", 5000);
    private static final int ITERATIONS = Integer.getInteger("bench.iterations", 20);
    private static final String NAMESPACE = "bench-usage";
    private static final String POOL = "bench-usage";
    private static final KubernetesClient client = TestCluster.get().client();

    @AfterAll
    static void cleanUp() {
        client.resources(BgpPeerPool.class).withName(POOL).delete();
        client.namespaces().withName(NAMESPACE).delete();
    }

    @Test
    void usageOfAPoolWithManyServices() throws Exception {
        AddressPool space = new AddressPool();
        space.name = "bench-usage-space";
        space.addresses = List.of("10.211.0.0/16");
        space.avoidBuggyIPs = true;
        List<Service> services = new ArrayList<>();
        for (int i = 0; i < SERVICES; i++) {
            services.add(service(i));
        }
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < ITERATIONS + 3; i++) {
            long start = System.nanoTime();
            PoolUsage.of(List.of(space), services, PoolUsage.ASSIGNMENT_LIMIT);
            if (i >= 3) { // the first runs warm the JIT up
                millis.add((System.nanoTime() - start) / 1e6);
            }
        }
        BenchReport.Summary pure = BenchReport.Summary.of(millis);
        BenchReport.record("7. Pool usage", "PoolUsage.of, " + SERVICES + " Services in one /16 pool (in-process, pure)",
                Map.of("median ms", pure.median(), "p95 ms", pure.p95(), "samples", pure.samples()));

        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).serverSideApply();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(TestCluster.METALLB_NAMESPACE).endMetadata().build())
                .serverSideApply();
        create(services);
        try (LocalOperator operator = new LocalOperator(List.of(new BgpPeerPoolReconciler(Clock.systemUTC(), new RouterClients(),
                java.time.Duration.ofSeconds(10), TestCluster.METALLB_NAMESPACE)))) {
            BgpPeerPool pool = Manifests.toResource(Manifests.variant(Manifests.BGP_PEER_POOL, POOL, m -> {
                ((ObjectNode) m.at("/spec/metallb")).put("version", "v0.7.3").put("install", false).put("configMapName", POOL);
                ((ObjectNode) m.at("/spec/peers/0")).remove("router");
                ((ObjectNode) m.at("/spec/addressPools/0")).put("name", space.name).put("avoidBuggyIPs", true).putArray("addresses")
                        .add("10.211.0.0/16");
            }), BgpPeerPool.class);
            String expected = SERVICES + "/" + (65536 - 2 * 256);
            long start = System.nanoTime();
            client.resource(pool).create();
            BgpPeerPool done = client.resources(BgpPeerPool.class).withName(POOL).waitUntilCondition(
                    p -> p.getStatus() != null && expected.equals(p.getStatus().ips), 5, TimeUnit.MINUTES);
            BgpPeerPoolStatus status = done.getStatus();
            BenchReport.record("7. Pool usage", "BgpPeerPool over " + SERVICES + " assigned Services: apply -> status.ips " + expected
                    + " (reconciler in-process, real API server)", Map.of("ms", (System.nanoTime() - start) / 1_000_000,
                            "addressPoolStatuses bytes", Serialization.asJson(status.addressPoolStatuses).length(),
                            "status bytes", Serialization.asJson(status).length()));
        }
    }

    private static Service service(int i) {
        return new ServiceBuilder().withNewMetadata().withName("svc-" + i).withNamespace(NAMESPACE).endMetadata().withNewSpec()
                .withType("LoadBalancer").withExternalTrafficPolicy("Cluster").addNewPort().withPort(80).withProtocol("TCP").endPort()
                .endSpec().withStatus(new ServiceStatusBuilder().withNewLoadBalancer().addNewIngress()
                        .withIp("10.211." + (i / 250) + "." + (i % 250 + 1)).endIngress().endLoadBalancer().build())
                .build();
    }

    /** Set-up, not measured: the Services with their ingress, four client threads. */
    private static void create(List<Service> services) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> created = new ArrayList<>();
            for (Service service : services) {
                created.add(threads.submit(() -> {
                    Service live = client.resource(new ServiceBuilder(service).withStatus(null).build()).create();
                    live.setStatus(service.getStatus());
                    client.resource(live).updateStatus();
                }));
            }
            for (Future<?> future : created) {
                future.get();
            }
        } finally {
            threads.shutdown();
        }
    }
}
