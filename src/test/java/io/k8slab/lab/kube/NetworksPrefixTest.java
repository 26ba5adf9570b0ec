package io.k8slab.lab.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The helpers the route comparison added to Networks: prefixes, CIDR-or-range parsing, address order. */
class NetworksPrefixTest {

    @ParameterizedTest(name = "{0}/{1} -> {2}")
    @CsvSource({
            "172.17.254.1,   32, 172.17.254.1/32",
            "172.17.254.1,   24, 172.17.254.0/24",
            "172.17.254.129, 25, 172.17.254.128/25",
            "255.255.255.255, 1, 128.0.0.0/1",
            "10.1.2.3,        0, 0.0.0.0/0" })
    void prefix(String address, int length, String prefix) {
        assertThat(Networks.prefix(Networks.parseIPv4(address).orElseThrow(), length)).isEqualTo(prefix);
    }

    @Test
    void prefixLengthMustBeValid() {
        assertThatThrownBy(() -> Networks.prefix(0, 33)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Networks.prefix(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "null", value = {
            "172.17.254.0/24,                 172.17.254.0-172.17.254.255",
            "172.17.254.10-172.17.254.20,     172.17.254.10-172.17.254.20",
            "172.17.254.10,                   null",
            "172.17.254.10-nonsense,          null",
            "null,                            null" })
    void cidrOrRange(String text, String range) {
        assertThat(Networks.parseCidrOrRange(text).map(Object::toString).orElse(null)).isEqualTo(range);
    }

    @Test
    void rangeContainsRange() {
        Networks.Range pool = Networks.parseCIDR("172.17.254.0/24").orElseThrow();
        assertThat(pool.contains(Networks.parseCIDR("172.17.254.128/25").orElseThrow())).isTrue();
        assertThat(pool.contains(pool)).isTrue();
        assertThat(pool.contains(Networks.parseCIDR("172.17.0.0/16").orElseThrow())).isFalse();
        assertThat(pool.contains(Networks.parseCIDR("172.17.253.255/32").orElseThrow())).isFalse();
    }

    @Test
    void addressOrderIsNumeric() {
        List<String> values = new ArrayList<>(List.of("172.17.0.100", "n/a", "172.17.0.9/32", "172.17.0.0/24",
                "172.17.0.21", "10.0.0.1", "172.17.0.9"));
        values.sort(Networks.ADDRESS_ORDER);
        assertThat(values).containsExactly("10.0.0.1", "172.17.0.0/24", "172.17.0.9", "172.17.0.9/32", "172.17.0.21",
                "172.17.0.100", "n/a");
    }
}
