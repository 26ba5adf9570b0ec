package io.k8slab.lab.metallb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.k8slab.lab.metallb.MetalLbVersion.Mode;

class MetalLbVersionTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("supported")
    void picksTheConfigurationFormat(String version, Mode mode) {
        assertThat(MetalLbVersion.check(version)).isEmpty();
        assertThat(MetalLbVersion.parse(version).orElseThrow().mode()).isEqualTo(mode);
    }

    static Stream<Arguments> supported() {
        return Stream.of(
                Arguments.of(null, Mode.CONFIG_MAP),
                Arguments.of("v0.7.3", Mode.CONFIG_MAP),
                Arguments.of("v0.8.0", Mode.CONFIG_MAP),
                Arguments.of("v0.9.6", Mode.CONFIG_MAP),
                Arguments.of("v0.12.1", Mode.CONFIG_MAP),
                Arguments.of("v0.13.0", Mode.CRD),
                Arguments.of("v0.14.9", Mode.CRD),
                Arguments.of("v1.0.0", Mode.CRD));
    }

    @ParameterizedTest(name = "''{0}''")
    @MethodSource("unsupported")
    void rejectsAtTheVersionField(String version, String reason) {
        assertThat(MetalLbVersion.check(version)).hasValueSatisfying(violation -> {
            assertThat(violation.field()).isEqualTo("spec.metallb.version");
            assertThat(violation.reason()).isEqualTo(reason);
            assertThat(violation.message()).contains("'" + version + "'");
        });
    }

    static Stream<Arguments> unsupported() {
        return Stream.of(
                Arguments.of("0.7.3", "InvalidVersion"),
                Arguments.of("v0.13", "InvalidVersion"),
                Arguments.of("latest", "InvalidVersion"),
                Arguments.of("v0.13.0-rc1", "InvalidVersion"),
                Arguments.of("", "InvalidVersion"),
                Arguments.of("v0.7.2", "UnsupportedVersion"),
                Arguments.of("v0.6.2", "UnsupportedVersion"));
    }
}
