package io.k8slab.lab.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.k8slab.lab.api.v1alpha1.BgpPeerPoolSpec;
import io.k8slab.lab.api.v1alpha1.PoolProtocol;

/** What the survey asks the router about: the pool's BGP addresses as CIDRs, nothing else. Pure. */
class RouterSurveyPrefixesTest {

    static Stream<Arguments> pools() {
        return Stream.of(
                Arguments.of("one CIDR", List.of(RoutesFixtures.pool("a", PoolProtocol.bgp, List.of("172.17.254.0/24"))),
                        List.of("172.17.254.0/24")),
                Arguments.of("a range, as MetalLB splits it", List.of(RoutesFixtures.pool("a", PoolProtocol.bgp,
                        List.of("172.17.254.10-172.17.254.17"))), List.of("172.17.254.10/31", "172.17.254.12/30", "172.17.254.16/31")),
                Arguments.of("two pools", List.of(RoutesFixtures.pool("a", PoolProtocol.bgp, List.of("172.17.254.0/24")),
                        RoutesFixtures.pool("b", PoolProtocol.bgp, List.of("10.210.0.0/16"))), List.of("172.17.254.0/24", "10.210.0.0/16")),
                Arguments.of("a layer2 pool is not announced", List.of(RoutesFixtures.pool("a", PoolProtocol.bgp, List.of("172.17.254.0/24")),
                        RoutesFixtures.pool("l2", PoolProtocol.layer2, List.of("10.0.0.0/24"))), List.of("172.17.254.0/24")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pools")
    void asksForThePoolsBgpAddresses(String name, List<io.k8slab.lab.api.v1alpha1.AddressPool> pools, List<String> prefixes) {
        BgpPeerPoolSpec spec = RoutesFixtures.referenceSpec();
        spec.addressPools = pools;
        ExpectedRoutes.Result expected = ExpectedRoutes.compute(spec, spec.peers.get(0), new RoutesFixtures.ClusterBuilder().build());

        assertThat(RouterSurvey.prefixes(expected)).containsExactlyInAnyOrderElementsOf(prefixes);
    }
}
