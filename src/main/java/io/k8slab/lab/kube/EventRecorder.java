package io.k8slab.lab.kube;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Kubernetes Events about the operator's custom resources, so {@code kubectl describe} and
 * {@code kubectl get events} tell what the operator did and why. The resources are cluster-scoped, so their
 * Events go to the {@code default} namespace, as the kubelet does for Nodes. Never pass a secret in a message.
 */
public final class EventRecorder {

    public static final String COMPONENT = "lab-operator";
    private static final String EVENT_NAMESPACE = "default";
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);

    private final KubernetesClient client;

    public EventRecorder(KubernetesClient client) {
        this.client = client;
    }

    public void normal(HasMetadata about, String reason, String message) {
        record(about, "Normal", reason, message);
    }

    public void warning(HasMetadata about, String reason, String message) {
        record(about, "Warning", reason, message);
    }

    private void record(HasMetadata about, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String name = about.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8);
        try {
            client.v1().events().inNamespace(EVENT_NAMESPACE).resource(new EventBuilder()
                    .withNewMetadata().withName(name.toLowerCase(Locale.ROOT)).withNamespace(EVENT_NAMESPACE).endMetadata()
                    .withNewInvolvedObject()
                    .withApiVersion(about.getApiVersion()).withKind(about.getKind())
                    .withName(about.getMetadata().getName()).withUid(about.getMetadata().getUid())
                    .endInvolvedObject()
                    .withType(type).withReason(reason).withMessage(message)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withReportingComponent(COMPONENT)
                    .build()).create();
        } catch (KubernetesClientException e) {
            // An Event is a courtesy: failing to record one must not fail the reconcile.
            LOG.warnf("could not record event %s on %s/%s: %s", reason, about.getKind(), about.getMetadata().getName(), e.getMessage());
        }
        LOG.infof("%s %s/%s: %s", reason, about.getKind(), about.getMetadata().getName(), message);
    }
}
