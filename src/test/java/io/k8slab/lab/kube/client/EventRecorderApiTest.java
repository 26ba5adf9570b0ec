package io.k8slab.lab.kube.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.testing.TestCluster;

/**
 * Events on the test API server: a repeat raises the first Event's count, a different one is an Event of its own; sent
 * in the background, in the order recorded.
 */
class EventRecorderApiTest {

    private final KubernetesClient client = TestCluster.get().client();
    private final EventRecorder events = new EventRecorder(client);
    private final ConfigMap about = new ConfigMapBuilder().withNewMetadata().withName("events-" + UUID.randomUUID().toString().substring(0, 8))
            .withUid(UUID.randomUUID().toString()).endMetadata().build();

    @AfterEach
    void deleteEvents() {
        recorded().forEach(e -> client.resource(e).delete());
    }

    @Test
    void aRepeatedEventRaisesTheCountOfTheFirst() {
        events.warning(about, "NamespaceNotFound", "namespace x does not exist");
        events.warning(about, "NamespaceNotFound", "namespace x does not exist");
        events.warning(about, "NamespaceNotFound", "namespace x does not exist");

        assertThat(recorded()).singleElement().satisfies(e -> {
            assertThat(e.getCount()).isEqualTo(3);
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getInvolvedObject().getUid()).isEqualTo(about.getMetadata().getUid());
        });
    }

    @Test
    void anotherMessageReasonOrTypeIsAnEventOfItsOwn() {
        events.warning(about, "NamespaceNotFound", "namespace x does not exist");
        events.warning(about, "NamespaceNotFound", "namespace y does not exist");
        events.warning(about, "Forbidden", "namespace y does not exist");
        events.normal(about, "Forbidden", "namespace y does not exist");

        assertThat(recorded()).hasSize(4).allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));
    }

    @Test
    void aRepeatOfAnExpiredEventRecordsANewOne() {
        events.normal(about, "ConfigApplied", "written");
        recorded().forEach(e -> client.resource(e).delete());

        events.normal(about, "ConfigApplied", "written");

        assertThat(recorded()).singleElement().satisfies(e -> assertThat(e.getCount()).isEqualTo(1));
    }

    /** The Events sent so far about the test's object (the recorder sends in the background: wait for it first). */
    private List<Event> recorded() {
        assertThat(EventRecorder.flush(Duration.ofSeconds(10))).as("the recorder sent its Events").isTrue();
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> about.getMetadata().getName().equals(e.getInvolvedObject().getName()))
                .toList();
    }
}
