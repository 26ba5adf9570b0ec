package io.k8slab.lab.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

class NodeDrainerTest {

    private static Pod pod(String name, String ownerKind, boolean mirror, boolean terminating) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata();
        if (ownerKind != null) {
            pod.editMetadata().addNewOwnerReference().withKind(ownerKind).withName("owner").withController(true).endOwnerReference().endMetadata();
        }
        if (mirror) {
            pod.editMetadata().addToAnnotations(NodeDrainer.MIRROR_ANNOTATION, "hash").endMetadata();
        }
        if (terminating) {
            pod.editMetadata().withDeletionTimestamp("2030-01-01T00:00:00Z").endMetadata();
        }
        return pod.build();
    }

    @Test
    void evictsEverythingButDaemonSetMirrorAndTerminatingPods() {
        List<Pod> pods = List.of(
                pod("web", "ReplicaSet", false, false),
                pod("bare", null, false, false),
                pod("job", "Job", false, false),
                pod("speaker", "DaemonSet", false, false),
                pod("kube-apiserver", null, true, false),
                pod("leaving", "ReplicaSet", false, true));

        assertThat(NodeDrainer.evictable(pods)).extracting(p -> p.getMetadata().getName()).containsExactly("web", "bare", "job");
    }
}
