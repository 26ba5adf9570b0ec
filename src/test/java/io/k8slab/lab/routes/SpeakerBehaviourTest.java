package io.k8slab.lab.routes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpeakerBehaviourTest {

    @ParameterizedTest(name = "{0}: Cluster needs an endpoint {1}, single ingress only {2}")
    @CsvSource(nullValues = "null", value = {
            "null,     false, true",
            "v0.7.3,   false, true",
            "0.7.3,    false, true",
            "v0.8.0,   true,  true",
            "v0.11.0,  true,  true",
            "v0.12.1,  true,  false",
            "v0.13.12, true,  false",
            "v0.14.9,  true,  false",
            "v1.0.0,   true,  false",
            "latest,   false, true" })
    void rulesPerRelease(String version, boolean clusterNeedsEndpoint, boolean singleIngressOnly) {
        assertThat(SpeakerBehaviour.forVersion(version))
                .isEqualTo(new SpeakerBehaviour(clusterNeedsEndpoint, singleIngressOnly));
    }
}
