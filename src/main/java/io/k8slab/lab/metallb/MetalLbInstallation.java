package io.k8slab.lab.metallb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8slab.lab.bgp.BgpPeerPool;
import io.k8slab.lab.kube.Subset;
import io.k8slab.lab.kube.Violation;

/**
 * Installs MetalLB v0.7.3 from the manifests under {@code deploy/metallb} (embedded in the jar) and keeps its
 * components as released: a deleted or edited component is applied again. Only what differs is written.
 */
public final class MetalLbInstallation {

    static final String MANIFEST = "/metallb/v0.7.3/metallb.yaml";
    static final String RELEASED_NAMESPACE = "metallb-system";
    static final String RELEASED_CONFIG_ARG = "--config=config";
    public static final String FIELD_MANAGER = "lab-operator";

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

    /** The released manifests adapted to the target's namespace and ConfigMap name. Pure. */
    public static List<GenericKubernetesResource> desired(EffectiveTarget target) {
        List<GenericKubernetesResource> objects = new ArrayList<>();
        for (JsonNode manifest : Release.MANIFESTS) {
            ObjectNode object = (ObjectNode) manifest.deepCopy();
            retarget(object, target);
            objects.add(Serialization.jsonMapper().convertValue(object, GenericKubernetesResource.class));
        }
        return objects;
    }

    /**
     * A cluster runs one installed MetalLB: its controller assigns every LoadBalancer Service's address, and the
     * release's cluster roles and bindings ({@code metallb-system:controller}, {@code metallb-system:speaker}) are
     * shared. The oldest BgpPeerPool that installs MetalLB (then the first by name) decides the namespace; another
     * that would install it elsewhere gets this violation and installs nothing. Pools being deleted do not count. Pure.
     */
    public static Optional<Violation> installedElsewhere(BgpPeerPool pool, List<BgpPeerPool> pools) {
        EffectiveTarget target = EffectiveTarget.of(pool.getSpec().metallb);
        if (!target.install()) {
            return Optional.empty();
        }
        return pools.stream()
                .filter(p -> p.getSpec() != null && p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> EffectiveTarget.of(p.getSpec().metallb).install())
                .min(Comparator.comparing((BgpPeerPool p) -> String.valueOf(p.getMetadata().getCreationTimestamp()))
                        .thenComparing(p -> p.getMetadata().getName()))
                .filter(owner -> !EffectiveTarget.of(owner.getSpec().metallb).namespace().equals(target.namespace()))
                .map(owner -> new Violation("spec.metallb.namespace", "MetalLBInstalledElsewhere",
                        "BgpPeerPool " + owner.getMetadata().getName() + " installs MetalLB in namespace "
                                + EffectiveTarget.of(owner.getSpec().metallb).namespace() + ", and a cluster runs one MetalLB (its "
                                + "controller assigns every LoadBalancer address; its cluster roles are shared): use that namespace, "
                                + "or set spec.metallb.install to false to configure a MetalLB installed another way in "
                                + target.namespace()));
    }

    /**
     * Applies every component that is missing or differs from the release, and returns what it wrote
     * ({@code Kind/name}), empty when everything was in place.
     */
    public static List<String> ensure(KubernetesClient client, EffectiveTarget target) {
        List<String> written = new ArrayList<>();
        for (GenericKubernetesResource object : desired(target)) {
            GenericKubernetesResource live = client.resource(object).get();
            JsonNode desiredTree = Serialization.jsonMapper().valueToTree(object);
            if (live == null || !Subset.contains(Serialization.jsonMapper().valueToTree(live), desiredTree)) {
                client.resource(object).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
                written.add(object.getKind() + "/" + object.getMetadata().getName());
            }
        }
        return written;
    }

    /**
     * Whether the controller Deployment and the speaker DaemonSet (as the informers hold them) are there and as
     * released: the components that run, and the only ones watched. Pure.
     */
    public static boolean workloadsAsReleased(EffectiveTarget target, Optional<Deployment> controller, Optional<DaemonSet> speaker) {
        if (controller.isEmpty() || speaker.isEmpty()) {
            return false;
        }
        JsonNode controllerTree = Serialization.jsonMapper().valueToTree(controller.get());
        JsonNode speakerTree = Serialization.jsonMapper().valueToTree(speaker.get());
        return desired(target).stream().allMatch(object -> switch (object.getKind()) {
            case "Deployment" -> Subset.contains(controllerTree, Serialization.jsonMapper().valueToTree(object));
            case "DaemonSet" -> Subset.contains(speakerTree, Serialization.jsonMapper().valueToTree(object));
            default -> true;
        });
    }

    /** From the controller Deployment and speaker DaemonSet as the informers hold them (absent: not available). Pure. */
    public static Availability availability(Optional<Deployment> controller, Optional<DaemonSet> speaker) {
        boolean controllerAvailable = controller.map(Deployment::getStatus).map(s -> s.getAvailableReplicas())
                .map(replicas -> replicas > 0).orElse(false);
        int ready = speaker.map(DaemonSet::getStatus).map(s -> s.getNumberReady()).orElse(0);
        int desired = speaker.map(DaemonSet::getStatus).map(s -> s.getDesiredNumberScheduled()).orElse(0);
        return new Availability(controllerAvailable, ready, desired);
    }

    /** The names the released manifests give the components, in the target's namespace. */
    public static boolean isController(Deployment deployment, EffectiveTarget target) {
        return target.namespace().equals(deployment.getMetadata().getNamespace()) && "controller".equals(deployment.getMetadata().getName());
    }

    public static boolean isSpeaker(DaemonSet daemonSet, EffectiveTarget target) {
        return target.namespace().equals(daemonSet.getMetadata().getNamespace()) && "speaker".equals(daemonSet.getMetadata().getName());
    }

    private static void retarget(ObjectNode object, EffectiveTarget target) {
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        if ("Namespace".equals(object.path("kind").asText())) {
            metadata.put("name", target.namespace());
        } else if (metadata.has("namespace")) {
            metadata.put("namespace", target.namespace());
        }
        object.path("subjects").forEach(subject -> ((ObjectNode) subject).put("namespace", target.namespace()));
        object.path("spec").path("template").path("spec").path("containers").forEach(container -> {
            ArrayNode args = (ArrayNode) container.path("args");
            for (int i = 0; i < args.size(); i++) {
                if (RELEASED_CONFIG_ARG.equals(args.get(i).asText())) {
                    args.set(i, TextNode.valueOf("--config=" + target.configMapName()));
                }
            }
        });
    }

    /** The release's manifests, read from the jar once. */
    private static final class Release {
        static final List<JsonNode> MANIFESTS = readManifests();
    }

    private static List<JsonNode> readManifests() {
        try (InputStream in = MetalLbInstallation.class.getResourceAsStream(MANIFEST)) {
            if (in == null) {
                throw new IllegalStateException(MANIFEST + " is missing from the classpath: the build embeds deploy/metallb");
            }
            List<HasMetadata> items = Serialization.unmarshal(in);
            List<JsonNode> trees = new ArrayList<>();
            items.forEach(item -> trees.add(Serialization.jsonMapper().valueToTree(item)));
            return trees;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
