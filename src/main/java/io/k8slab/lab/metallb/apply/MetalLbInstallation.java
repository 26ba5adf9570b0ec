package io.k8slab.lab.metallb.apply;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8slab.lab.kube.Violation;
import io.k8slab.lab.metallb.ResolvedTarget;
import io.k8slab.lab.metallb.MetalLbRelease;
import io.k8slab.lab.metallb.MetalLbVersion;
import io.k8slab.lab.metallb.Ownership;

/**
 * An embedded MetalLB release ({@link MetalLbRelease}: v0.7.3, or v0.16.1's native manifest for the
 * metallb.io era): what it installs (kept as released by {@link MetalLbComponents}), and how its controller and
 * speakers are doing. A MetalLB installed another way ({@code install: false}) is found by the released names or,
 * for the Helm chart, by its {@code app.kubernetes.io} labels.
 */
public final class MetalLbInstallation {

    static final String RELEASED_CONFIG_ARG = "--config=config";
    /** The Helm chart's labels: {@code app.kubernetes.io/name=metallb}, component {@code controller} or {@code speaker}. */
    public static final String HELM_NAME_LABEL = "app.kubernetes.io/name";
    public static final String HELM_COMPONENT_LABEL = "app.kubernetes.io/component";

    /** How the components are doing: the controller Deployment and the speaker DaemonSet. */
    public record Availability(boolean controllerAvailable, int speakersReady, int speakersDesired) {
        public boolean available() {
            return controllerAvailable && speakersDesired > 0 && speakersReady == speakersDesired;
        }

        public String describe() {
            return "controller " + (controllerAvailable ? "available" : "not available") + ", speakers ready "
                    + speakersReady + "/" + speakersDesired;
        }
    }

    private MetalLbInstallation() {
    }

    /**
     * Why the operator cannot install the target's MetalLB: it installs the embedded releases only (installing
     * another release's manifest under this version's name would report something that is not running). Pure.
     */
    public static Optional<Violation> notInstallable(ResolvedTarget target) {
        if (!target.install() || MetalLbVersion.parse(target.version()).isEmpty() || MetalLbRelease.of(target.version()).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(new Violation("spec.metallb.version", "ReleaseNotEmbedded", "the operator installs MetalLB "
                + MetalLbRelease.embeddedVersions() + " only, not " + target.version() + ": choose one of those, or set "
                + "spec.metallb.install to false to configure a MetalLB " + target.version() + " installed another way"));
    }

    /**
     * What the operator installs: the release's namespaced objects (service accounts, roles and bindings, the
     * webhook's Secret and Service, the controller Deployment, the speaker DaemonSet, ...), adapted to the target's
     * namespace and ConfigMap name and labelled as the operator's. The cluster-wide ones (Namespace, CRDs, cluster
     * roles and bindings, the validating webhook configuration) ship in {@code deploy/metallb/<version>/cluster} for
     * whoever installs the operator, so the operator needs no rights over cluster-wide RBAC. Pure.
     */
    public static List<GenericKubernetesResource> desired(ResolvedTarget target) {
        MetalLbRelease release = MetalLbRelease.of(target.version())
                .orElseThrow(() -> new IllegalArgumentException("no embedded MetalLB release " + target.version()));
        List<GenericKubernetesResource> objects = new ArrayList<>();
        for (JsonNode manifest : release.manifests()) {
            if (!MetalLbRelease.namespaced(manifest)) {
                continue;
            }
            ObjectNode object = (ObjectNode) manifest.deepCopy();
            retarget(object, target);
            ObjectNode metadata = (ObjectNode) object.get("metadata");
            (metadata.has("labels") ? (ObjectNode) metadata.get("labels") : metadata.putObject("labels"))
                    .put(Ownership.MANAGED_BY_LABEL, Ownership.MANAGED_BY);
            objects.add(Serialization.jsonMapper().convertValue(object, GenericKubernetesResource.class));
        }
        return objects;
    }

    /** From the controller Deployment and speaker DaemonSet as the informers hold them (absent: not available). Pure. */
    public static Availability availability(Optional<Deployment> controller, Optional<DaemonSet> speaker) {
        boolean controllerAvailable = controller.map(Deployment::getStatus).map(s -> s.getAvailableReplicas())
                .map(replicas -> replicas > 0).orElse(false);
        int ready = speaker.map(DaemonSet::getStatus).map(s -> s.getNumberReady()).orElse(0);
        int desired = speaker.map(DaemonSet::getStatus).map(s -> s.getDesiredNumberScheduled()).orElse(0);
        return new Availability(controllerAvailable, ready, desired);
    }

    /**
     * The target's controller: in its namespace, named as the released manifests name it or, when someone else
     * installed MetalLB ({@code install: false}), labelled as the Helm chart labels its {@code <release>-controller}.
     */
    public static boolean isController(Deployment deployment, ResolvedTarget target) {
        return isComponent(deployment, target, "controller");
    }

    public static boolean isSpeaker(DaemonSet daemonSet, ResolvedTarget target) {
        return isComponent(daemonSet, target, "speaker");
    }

    private static boolean isComponent(HasMetadata object, ResolvedTarget target, String component) {
        if (!target.namespace().equals(object.getMetadata().getNamespace())) {
            return false;
        }
        if (component.equals(object.getMetadata().getName())) {
            return true;
        }
        Map<String, String> labels = object.getMetadata().getLabels() == null ? Map.of() : object.getMetadata().getLabels();
        return !target.install() && "metallb".equals(labels.get(HELM_NAME_LABEL)) && component.equals(labels.get(HELM_COMPONENT_LABEL));
    }

    private static void retarget(ObjectNode object, ResolvedTarget target) {
        ((ObjectNode) object.get("metadata")).put("namespace", target.namespace());
        object.path("subjects").forEach(subject -> ((ObjectNode) subject).put("namespace", target.namespace()));
        // The default written out: server-side apply before Kubernetes 1.21 refuses a Service port without its
        // protocol (a key of the ports list), as v0.16.1's webhook Service has it.
        if ("Service".equals(object.path("kind").asText())) {
            object.path("spec").path("ports").forEach(port -> {
                if (!port.has("protocol")) {
                    ((ObjectNode) port).put("protocol", "TCP");
                }
            });
        }
        object.path("spec").path("template").path("spec").path("containers").forEach(container -> {
            ArrayNode args = (ArrayNode) container.path("args");
            for (int i = 0; i < args.size(); i++) {
                if (RELEASED_CONFIG_ARG.equals(args.get(i).asText())) {
                    args.set(i, TextNode.valueOf("--config=" + target.configMapName()));
                }
            }
        });
    }

}
