package io.k8slab.lab.metallb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.k8slab.lab.kube.Violation;
import io.k8slab.lab.metallb.KubernetesCompatibility.KubernetesVersion;

class KubernetesCompatibilityTest {

    @ParameterizedTest(name = "MetalLB {0} install={1} on Kubernetes {2}.{3}: refused={4}")
    @CsvSource({
            // v0.7.3's controller never assigns an address from 1.18 on (measured on 1.20.2; kubespray#6139 on 1.18.2).
            "v0.7.3, true, 1, 17, false",
            "v0.7.3, true, 1, 18, true",
            "v0.7.3, true, 1, 20+, true",
            "v0.7.3, true, 1, 35, true",
            "v0.8.3, true, 1, 20, true",
            // From v0.9 on (kubespray's fix), and CRD-era releases.
            "v0.9.6, true, 1, 20, false",
            "v0.16.1, true, 1, 35, false",
            "v0.16.1, true, 1, 20, false",
            // A MetalLB the user brought: its ConfigMap is rendered anywhere.
            "v0.7.3, false, 1, 20, false",
            "v0.7.3, false, 1, 35, false",
            "v0.7.3, true, 2, 0, true" })
    void installsOnlyWhatRunsThere(String version, boolean install, String major, String minor, boolean refused) {
        KubernetesVersion kubernetes = KubernetesVersion.parse(major, minor).orElseThrow();
        Optional<Violation> violation = KubernetesCompatibility.check(new ResolvedTarget(version, "metallb-system", "config", install), kubernetes);

        assertThat(violation.isPresent()).isEqualTo(refused);
        violation.ifPresent(v -> {
            assertThat(v.field()).isEqualTo("spec.metallb.version");
            assertThat(v.reason()).isEqualTo(KubernetesCompatibility.INCOMPATIBLE);
            assertThat(v.message()).contains(version, "Kubernetes " + kubernetes, "managedFields", "v0.16.1", "spec.metallb.install");
        });
    }

    @ParameterizedTest
    @CsvSource({ "1, 20+, 1.20", "1, 35, 1.35", "1, x, ", ", 20, " })
    void versionAsTheApiServerReportsIt(String major, String minor, String expected) {
        assertThat(KubernetesVersion.parse(major, minor).map(KubernetesVersion::toString).orElse(null)).isEqualTo(expected);
    }
}
