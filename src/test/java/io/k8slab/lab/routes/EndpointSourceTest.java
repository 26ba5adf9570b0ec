package io.k8slab.lab.routes;

import static io.k8slab.lab.routes.EndpointSource.ENDPOINTS;
import static io.k8slab.lab.routes.EndpointSource.ENDPOINT_SLICES;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1beta1.EndpointSliceBuilder;

/** Which endpoints each MetalLB release reads, on API servers serving v1 only (1.25+), both (1.21-1.24), v1beta1 only (1.17-1.20), none. */
class EndpointSourceTest {

    private static final EndpointSource.Served V1_ONLY = new EndpointSource.Served(true, false);
    private static final EndpointSource.Served BOTH = new EndpointSource.Served(true, true);
    private static final EndpointSource.Served V1BETA1_ONLY = new EndpointSource.Served(false, true);
    private static final EndpointSource.Served NONE = new EndpointSource.Served(false, false);

    @ParameterizedTest(name = "MetalLB {0}")
    @MethodSource("releases")
    void followsWhatEachReleaseReads(String version, EndpointSource v1Only, EndpointSource both, EndpointSource v1beta1Only,
            EndpointSource none) {
        assertThat(List.of(EndpointSource.of(version, V1_ONLY), EndpointSource.of(version, BOTH), EndpointSource.of(version, V1BETA1_ONLY),
                EndpointSource.of(version, NONE))).containsExactly(v1Only, both, v1beta1Only, none);
    }

    static Stream<Arguments> releases() {
        return Stream.of(
                Arguments.of("v0.7.3", ENDPOINTS, ENDPOINTS, ENDPOINTS, ENDPOINTS),
                Arguments.of(null, ENDPOINTS, ENDPOINTS, ENDPOINTS, ENDPOINTS), // the schema's default, v0.7.3
                Arguments.of("v0.9.6", ENDPOINTS, ENDPOINTS, ENDPOINTS, ENDPOINTS),
                // v1beta1 slices when served: on 1.25+ (v1beta1 removed) these fall back to Endpoints.
                Arguments.of("v0.10.0", ENDPOINTS, ENDPOINT_SLICES, ENDPOINT_SLICES, ENDPOINTS),
                Arguments.of("v0.12.1", ENDPOINTS, ENDPOINT_SLICES, ENDPOINT_SLICES, ENDPOINTS),
                // v1 slices; the probe of v0.13.0-v0.13.5 also needs v1beta1.
                Arguments.of("v0.13.0", ENDPOINTS, ENDPOINT_SLICES, ENDPOINTS, ENDPOINTS),
                Arguments.of("v0.13.5", ENDPOINTS, ENDPOINT_SLICES, ENDPOINTS, ENDPOINTS),
                Arguments.of("v0.13.6", ENDPOINT_SLICES, ENDPOINT_SLICES, ENDPOINTS, ENDPOINTS),
                Arguments.of("v0.13.12", ENDPOINT_SLICES, ENDPOINT_SLICES, ENDPOINTS, ENDPOINTS),
                // Slices only.
                Arguments.of("v0.14.0", ENDPOINT_SLICES, ENDPOINT_SLICES, ENDPOINT_SLICES, ENDPOINTS),
                Arguments.of("v0.16.1", ENDPOINT_SLICES, ENDPOINT_SLICES, ENDPOINT_SLICES, ENDPOINTS));
    }

    @Test
    void aV1beta1SliceNamesItsNodeByTopologyAsMetalLbReadsIt() {
        var v1beta1 = new EndpointSliceBuilder().withNewMetadata().withName("web-abc").withNamespace("shop")
                .addToLabels(ExpectedRoutes.SERVICE_NAME_LABEL, "web").endMetadata().withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.244.1.5").withTopology(Map.of(ExpectedRoutes.HOSTNAME_TOPOLOGY, "node-1"))
                .withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewEndpoint().withAddresses("10.244.2.5").withNodeName("node-2").withNewConditions().withReady(false).endConditions().endEndpoint()
                .addNewEndpoint().withAddresses("10.244.3.5").withNodeName("node-3").endEndpoint()
                .build();

        EndpointSlice v1 = ExpectedRoutes.fromV1beta1(v1beta1);

        assertThat(v1.getMetadata().getLabels()).containsEntry(ExpectedRoutes.SERVICE_NAME_LABEL, "web");
        assertThat(v1.getEndpoints()).extracting(e -> e.getAddresses().get(0), e -> e.getNodeName(), e -> e.getConditions().getReady())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("10.244.1.5", "node-1", true),
                        org.assertj.core.groups.Tuple.tuple("10.244.2.5", "node-2", false),
                        org.assertj.core.groups.Tuple.tuple("10.244.3.5", "node-3", null));
    }
}
