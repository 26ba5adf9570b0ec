package io.k8slab.lab.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.k8slab.lab.testing.MetalLbCrds;

class SpeakerViewTest {

    private static GenericKubernetesResource serviceBgpStatus(String name, String node, String namespace, String service, List<String> peers) {
        return MetalLbCrds.serviceBgpStatus("metallb-system", name, node, namespace, service, peers);
    }

    private static GenericKubernetesResource configurationState(String name, String result, String errorSummary) {
        return MetalLbCrds.configurationState("metallb-system", name, result, errorSummary);
    }

    @Test
    void servicesByPeerAndNode() {
        SpeakerView view = SpeakerView.of(List.of(
                serviceBgpStatus("bgp-a", "k8s-node-02", "default", "nginx", List.of("lab-rt-01")),
                serviceBgpStatus("bgp-b", "k8s-node-01", "default", "nginx", List.of("lab-rt-01", "lab-rt-02")),
                serviceBgpStatus("bgp-c", "k8s-node-01", "web", "shop", List.of("lab-rt-02")),
                serviceBgpStatus("bgp-d", "k8s-node-03", "default", "nginx", null)), List.of());

        assertThat(view.toPeer("lab-rt-01")).containsOnlyKeys("default/nginx");
        assertThat(view.toPeer("lab-rt-01").get("default/nginx")).containsExactly("k8s-node-01", "k8s-node-02");
        assertThat(view.toPeer("lab-rt-02")).containsOnlyKeys("default/nginx", "web/shop");
        assertThat(view.toPeer("no-such-peer")).isEmpty();
        assertThat(view.configErrors()).isEmpty();
    }

    @Test
    void invalidConfigurationStatesWithMetalLbsOwnMessages() {
        SpeakerView view = SpeakerView.of(List.of(), List.of(
                configurationState("speaker-k8s-node-01", "Invalid", "peer lab-rt-01: invalid hold time \"1s\": must be 0 or >=3s\n"),
                configurationState("controller", "Invalid", "CIDR \"172.17.254.0/24\" in pool \"b\" overlaps with already defined CIDR \"172.17.254.0/24\""),
                configurationState("speaker-k8s-node-02", "Valid", null),
                configurationState("speaker-k8s-node-03", "Unknown", null),
                configurationState("speaker-k8s-node-04", "Invalid", null)));

        assertThat(view.configErrors()).containsExactly(
                "controller: CIDR \"172.17.254.0/24\" in pool \"b\" overlaps with already defined CIDR \"172.17.254.0/24\"",
                "speaker-k8s-node-01: peer lab-rt-01: invalid hold time \"1s\": must be 0 or >=3s",
                "speaker-k8s-node-04: invalid, without a message");
    }
}
