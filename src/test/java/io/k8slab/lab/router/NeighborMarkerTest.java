package io.k8slab.lab.router;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NeighborMarkerTest {

    @Test
    void marksAndRecognisesTheOperatorsNeighbors() {
        assertThat(NeighborMarker.of("lab")).isEqualTo("lab-operator:lab");
        assertThat(NeighborMarker.description("lab", "k8s-node-01")).isEqualTo("lab-operator:lab k8s-node-01");
        assertThat(NeighborMarker.description("lab", null)).isEqualTo("lab-operator:lab");

        assertThat(NeighborMarker.isManagedBy("lab-operator:lab", "lab")).isTrue();
        assertThat(NeighborMarker.isManagedBy("lab-operator:lab k8s-node-01", "lab")).isTrue();
        assertThat(NeighborMarker.isManagedBy("lab-operator:lab2 k8s-node-01", "lab")).isFalse();
        assertThat(NeighborMarker.isManagedBy("lab-operator:labx", "lab")).isFalse();
        assertThat(NeighborMarker.isManagedBy("k8s-node-01 lab-operator:lab", "lab")).isFalse();
        assertThat(NeighborMarker.isManagedBy("", "lab")).isFalse();
        assertThat(NeighborMarker.isManagedBy(null, "lab")).isFalse();

        assertThat(NeighborMarker.pool("lab-operator:lab k8s-node-01")).isEqualTo("lab");
        assertThat(NeighborMarker.pool("lab-operator:other")).isEqualTo("other");
        assertThat(NeighborMarker.pool("lab-operator:")).isNull();
        assertThat(NeighborMarker.pool("configured by hand")).isNull();
        assertThat(NeighborMarker.pool(null)).isNull();
    }
}
