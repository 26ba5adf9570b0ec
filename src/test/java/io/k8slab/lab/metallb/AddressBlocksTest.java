package io.k8slab.lab.metallb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.k8slab.lab.kube.Networks;

class AddressBlocksTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("splits")
    void splitsLikeMetalLb(String address, List<String> cidrs) {
        assertThat(Networks.parseCidrOrRange(address).map(AddressBlocks::split).orElseThrow())
                .extracting(AddressBlocks.Cidr::toString).containsExactlyElementsOf(cidrs);
    }

    static Stream<Arguments> splits() {
        return Stream.of(
                // MetalLB v0.7.3's own example (config_test.go, pool3).
                Arguments.of("40.0.0.150-40.0.0.200", List.of("40.0.0.150/31", "40.0.0.152/29", "40.0.0.160/27", "40.0.0.192/29", "40.0.0.200/32")),
                Arguments.of("172.17.254.0-172.17.254.255", List.of("172.17.254.0/24")),
                Arguments.of("172.17.254.10-172.17.254.10", List.of("172.17.254.10/32")),
                Arguments.of("172.17.254.255-172.17.255.0", List.of("172.17.254.255/32", "172.17.255.0/32")),
                Arguments.of("0.0.0.0-255.255.255.255", List.of("0.0.0.0/0")),
                Arguments.of("172.17.254.0/24", List.of("172.17.254.0/24")),
                // Host bits set: Go's ParseCIDR keeps the network, and so does MetalLB.
                Arguments.of("172.17.254.77/24", List.of("172.17.254.0/24")),
                // Reversed: MetalLB takes no addresses and reports nothing.
                Arguments.of("172.17.254.20-172.17.254.10", List.of()));
    }
}
