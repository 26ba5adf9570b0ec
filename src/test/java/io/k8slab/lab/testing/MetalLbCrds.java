package io.k8slab.lab.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The real CRDs of the MetalLB release the operator embeds, taken at test time from its native manifest
 * (deploy/metallb/&lt;version&gt;/metallb-native.yaml, committed unchanged), so no second copy can drift from it.
 */
public final class MetalLbCrds {

    /** The embedded release whose CRDs the tests install. */
    public static final String VERSION = "v0.16.1";
    public static final Path MANIFEST = Path.of("deploy", "metallb", VERSION, "metallb-native.yaml");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static boolean installed;

    private MetalLbCrds() {
    }

    /** The manifest's CustomResourceDefinitions as YAML trees, in manifest order. */
    public static List<JsonNode> documents() {
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(Files.readString(MANIFEST))) {
            return documents.readAll().stream().filter(d -> "CustomResourceDefinition".equals(d.path("kind").asText())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every CustomResourceDefinition of the manifest, in manifest order. */
    public static List<CustomResourceDefinition> fromManifest() {
        return documents().stream().map(d -> Serialization.jsonMapper().convertValue(d, CustomResourceDefinition.class)).toList();
    }

    /** A ServiceBGPStatus as MetalLB v0.16.1's speaker writes it (internal/k8s/controllers/bgp_status_controller.go). */
    public static GenericKubernetesResource serviceBgpStatus(String namespace, String name, String node, String serviceNamespace,
            String service, List<String> peers) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("node", node);
        status.put("serviceName", service);
        status.put("serviceNamespace", serviceNamespace);
        if (peers != null) {
            status.put("peers", peers);
        }
        return new GenericKubernetesResourceBuilder().withApiVersion("metallb.io/v1beta1").withKind("ServiceBGPStatus")
                .withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(Map.of("metallb.io/node", node, "metallb.io/service-name", service, "metallb.io/service-namespace", serviceNamespace))
                .endMetadata().withAdditionalProperties(Map.of("status", status)).build();
    }

    /** A ConfigurationState as MetalLB v0.16.1 writes it (controller, or speaker-&lt;node&gt;; configuration_state_controller.go). */
    public static GenericKubernetesResource configurationState(String namespace, String name, String result, String errorSummary) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("result", result);
        if (errorSummary != null) {
            status.put("errorSummary", errorSummary);
        }
        return new GenericKubernetesResourceBuilder().withApiVersion("metallb.io/v1beta1").withKind("ConfigurationState")
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withAdditionalProperties(Map.of("status", status)).build();
    }

    /**
     * Creates a metallb.io status object (ServiceBGPStatus, ConfigurationState) as MetalLB's components do: the
     * object, then its status through the status subresource (a create drops it). Returns the stored object.
     */
    public static GenericKubernetesResource createWithStatus(KubernetesClient client, GenericKubernetesResource object) {
        Object status = object.getAdditionalProperties().get("status");
        GenericKubernetesResource created = client.resource(object).create();
        created.setAdditionalProperty("status", status);
        return client.resource(created).updateStatus();
    }

    /** Installs them on the test API server once per JVM and waits until each is served. */
    public static synchronized void install() {
        if (!installed) {
            fromManifest().forEach(TestCluster.get()::installCrd);
            installed = true;
        }
    }
}
