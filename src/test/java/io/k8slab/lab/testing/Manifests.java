package io.k8slab.lab.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;

/** The repo's example manifests as editable JSON trees, so a test can derive a variant in one line. */
public final class Manifests {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public static final Path LAB_CLUSTER = Path.of("deploy", "examples", "labcluster.yaml");
    public static final Path BGP_PEER_POOL = Path.of("deploy", "examples", "bgppeerpool.yaml");

    private Manifests() {
    }

    /** The example as a tree, with the lab's machine addresses moved to loopback (see {@link #keepOnLoopback}). */
    public static ObjectNode read(Path file) {
        try {
            ObjectNode manifest = (ObjectNode) YAML.readTree(Files.readString(file));
            keepOnLoopback(manifest);
            return manifest;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Tests send traffic only to loopback or into network namespaces they made. The examples name the lab's real
     * machines (172.17.0.x), which the operator would SSH to and ask for routes, so in tests those addresses move
     * to 127.17.0.x (nodes, nothing listens there: joins fail at once) and 127.0.0.1:1 (router APIs, refused).
     */
    static void keepOnLoopback(ObjectNode manifest) {
        JsonNode spec = manifest.path("spec");
        if (spec.has("networks")) {
            ((ObjectNode) spec.get("networks")).put("nodeCIDR", "127.17.0.0/24");
            spec.path("nodes").forEach(node -> ((ObjectNode) node).put("address", node.path("address").asText().replace("172.17.0.", "127.17.0.")));
        }
        spec.path("peers").forEach(peer -> {
            if (peer.has("router")) {
                ((ObjectNode) peer.get("router")).put("address", "127.0.0.1:1");
            }
        });
    }

    /** The example renamed to {@code name} and changed by {@code edit}. */
    public static ObjectNode variant(Path file, String name, Consumer<ObjectNode> edit) {
        ObjectNode manifest = read(file);
        ((ObjectNode) manifest.get("metadata")).put("name", name);
        edit.accept(manifest);
        return manifest;
    }

    public static GenericKubernetesResource toResource(JsonNode manifest) {
        return Serialization.jsonMapper().convertValue(manifest, GenericKubernetesResource.class);
    }

    public static <T> T toResource(JsonNode manifest, Class<T> type) {
        return Serialization.jsonMapper().convertValue(manifest, type);
    }

    /** The node at a path such as {@code spec.nodes.1} (numbers index arrays). */
    public static JsonNode at(JsonNode root, String path) {
        JsonNode current = root;
        for (String segment : path.split("\\.")) {
            current = segment.chars().allMatch(Character::isDigit) ? current.get(Integer.parseInt(segment)) : current.get(segment);
        }
        return current;
    }
}
