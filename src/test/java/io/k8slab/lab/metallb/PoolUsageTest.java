package io.k8slab.lab.metallb;

import static io.k8slab.lab.metallb.ReferenceLab.addressPool;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.k8slab.lab.api.v1alpha1.AddressPool;
import io.k8slab.lab.api.v1alpha1.AddressPoolStatus;

/** Totals as MetalLB's allocator counts them (poolCount), assignments from the Services' ingress. */
class PoolUsageTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("totals")
    void countsTheAddressesMetalLbMayAssign(String description, AddressPool pool, String total) {
        AddressPoolStatus usage = PoolUsage.of(List.of(pool), List.of(), PoolUsage.ASSIGNMENT_LIMIT).get(0);
        assertThat(usage.total).isEqualTo(total);
        assertThat(usage.assigned).isZero();
        assertThat(usage.available).isEqualTo(total);
    }

    static Stream<Arguments> totals() {
        return Stream.of(
                Arguments.of("a /24", pool(false, "172.17.254.0/24"), "256"),
                Arguments.of("a /24 without .0 and .255", pool(true, "172.17.254.0/24"), "254"),
                Arguments.of("a /16 without .0 and .255: two per /24", pool(true, "10.20.0.0/16"), Integer.toString(65536 - 2 * 256)),
                Arguments.of("host bits set in the CIDR: the network's block", pool(false, "172.17.254.7/30"), "4"),
                Arguments.of("a /32", pool(false, "172.17.254.9/32"), "1"),
                Arguments.of("a /32 on .0 that avoids it: none (MetalLB's poolCount says -1)", pool(true, "172.17.254.0/32"), "0"),
                Arguments.of("a range", pool(false, "172.17.254.10-172.17.254.20"), "11"),
                Arguments.of("a range across a /24 boundary, avoiding .255 and .0", pool(true, "172.17.254.250-172.17.255.5"), "10"),
                Arguments.of("a range of one address", pool(false, "172.17.254.10-172.17.254.10"), "1"),
                Arguments.of("a reversed range: none, as MetalLB gives it", pool(false, "172.17.254.20-172.17.254.10"), "0"),
                Arguments.of("CIDR and range together", pool(false, "172.17.254.0/28", "172.17.254.100-172.17.254.109"), "26"),
                Arguments.of("the same addresses twice count once", pool(false, "172.17.254.0/28", "172.17.254.8-172.17.254.20"), "21"),
                Arguments.of("adjacent blocks merge, avoiding what the merge contains", pool(true, "172.17.254.0/25", "172.17.254.128/25"), "254"),
                Arguments.of("an IPv6 /120", pool(false, "2001:db8::/120"), "256"),
                Arguments.of("IPv6 ignores avoidBuggyIPs (MetalLB checks IPv4 only)", pool(true, "2001:db8::/120"), "256"),
                Arguments.of("an IPv6 /64: exact, where MetalLB says MaxInt64", pool(false, "2001:db8::/64"),
                        BigInteger.ONE.shiftLeft(64).toString()),
                Arguments.of("an IPv6 range", pool(false, "2001:db8::10-2001:db8::1f"), "16"),
                Arguments.of("dual stack", pool(true, "172.17.254.0/24", "2001:db8::/126"), "258"),
                Arguments.of("unreadable addresses hold nothing", pool(false, "not-an-address", "2001:db8::/129", "1.2.3.4-2001:db8::1"), "0"));
    }

    @Test
    void assignsEachIngressAddressToThePoolThatHoldsIt() {
        List<AddressPool> pools = List.of(pool("space", true, "172.17.254.0/24"), pool("extra", false, "172.17.253.10-172.17.253.20"),
                pool("v6", false, "2001:db8::/120"));
        List<Service> services = List.of(
                loadBalancer("shop", "web", "172.17.254.10"),
                // Two Services sharing one address (allow-shared-ip): one address assigned, both holders named.
                loadBalancer("shop", "web-udp", "172.17.254.10"),
                loadBalancer("default", "nginx", "172.17.254.1"),
                loadBalancer("default", "dual", "172.17.253.12", "2001:db8::5"),
                // .0 of a pool that avoids it is not that pool's (MetalLB's poolFor); outside every pool: nobody's.
                loadBalancer("default", "edge", "172.17.254.0"),
                loadBalancer("default", "elsewhere", "192.0.2.1"),
                new ServiceBuilder(loadBalancer("default", "cluster-ip", "172.17.254.2")).editSpec().withType("ClusterIP").endSpec().build());

        List<AddressPoolStatus> usage = PoolUsage.of(pools, services, PoolUsage.ASSIGNMENT_LIMIT);

        assertThat(usage).extracting(u -> u.name, u -> u.total, u -> u.assigned, u -> u.available).containsExactly(
                org.assertj.core.groups.Tuple.tuple("space", "254", 2L, "252"),
                org.assertj.core.groups.Tuple.tuple("extra", "11", 1L, "10"),
                org.assertj.core.groups.Tuple.tuple("v6", "256", 1L, "255"));
        // Numeric order: .1 before .10.
        assertThat(usage.get(0).assignments).extracting(a -> a.address, a -> a.services).containsExactly(
                org.assertj.core.groups.Tuple.tuple("172.17.254.1", List.of("default/nginx")),
                org.assertj.core.groups.Tuple.tuple("172.17.254.10", List.of("shop/web", "shop/web-udp")));
        assertThat(usage.get(2).assignments).extracting(a -> a.address).containsExactly("2001:db8::5");
        assertThat(PoolUsage.summary(usage)).contains("4/521");
    }

    @Test
    void listsAssignmentsUpToTheLimitAndCountsThemAll() {
        List<Service> services = IntStream.range(0, 300)
                .mapToObj(i -> loadBalancer("bench", "svc-" + i, "10.20." + (i / 250) + "." + (i % 250 + 1))).toList();

        AddressPoolStatus usage = PoolUsage.of(List.of(pool(true, "10.20.0.0/16")), services, PoolUsage.ASSIGNMENT_LIMIT).get(0);

        assertThat(usage.assigned).isEqualTo(300L);
        assertThat(usage.available).isEqualTo(Integer.toString(65536 - 512 - 300));
        assertThat(usage.assignments).hasSize(PoolUsage.ASSIGNMENT_LIMIT);
        assertThat(usage.assignments.get(0).address).isEqualTo("10.20.0.1");
        assertThat(usage.assignments.get(49).address).isEqualTo("10.20.0.50");
    }

    @Test
    void noPoolsNoSummary() {
        assertThat(PoolUsage.of(List.of(), List.of(loadBalancer("default", "web", "172.17.254.1")), 50)).isEmpty();
        assertThat(PoolUsage.summary(List.of())).isEmpty();
    }

    private static AddressPool pool(boolean avoidBuggyIPs, String... addresses) {
        return pool("p", avoidBuggyIPs, addresses);
    }

    private static AddressPool pool(String name, boolean avoidBuggyIPs, String... addresses) {
        AddressPool pool = addressPool(name, addresses);
        pool.avoidBuggyIPs = avoidBuggyIPs;
        return pool;
    }

    private static Service loadBalancer(String namespace, String name, String... ips) {
        ServiceBuilder builder = new ServiceBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withType("LoadBalancer").endSpec();
        var loadBalancer = builder.withNewStatus().withNewLoadBalancer();
        for (String ip : ips) {
            loadBalancer = loadBalancer.addNewIngress().withIp(ip).endIngress();
        }
        return loadBalancer.endLoadBalancer().endStatus().build();
    }
}
