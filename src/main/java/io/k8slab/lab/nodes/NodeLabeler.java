package io.k8slab.lab.nodes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Sets the labels the operator owns on a Node with a server-side apply under its own field manager. The API
 * server then does the bookkeeping: a label the manager applied before and no longer applies is removed, and
 * labels other managers set (kubelet, kubectl) are never touched.
 *
 * <p>Many Nodes are labelled {@value #IN_FLIGHT} at a time: one patch after another makes a 1,000-node lab wait
 * seconds, and more at once would only queue in the API server (the lab's master is small).
 */
public final class NodeLabeler implements AutoCloseable {

    public static final String FIELD_MANAGER = "lab-operator-node-labels";
    /** Label patches in flight at once. */
    public static final int IN_FLIGHT = 16;

    /** One Node and the labels it should carry. */
    public record Labelling(Node node, Map<String, String> desired) {
    }

    private final ThreadPoolExecutor patches;

    public NodeLabeler() {
        AtomicInteger threads = new AtomicInteger();
        // Threads start when there is something to label and end when idle: a lab at rest keeps none.
        this.patches = new ThreadPoolExecutor(IN_FLIGHT, IN_FLIGHT, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "node-labels-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        patches.allowCoreThreadTimeOut(true);
    }

    /**
     * Applies each labelling that {@link #needsApply needs} it, {@value #IN_FLIGHT} at a time; nothing is sent for
     * Nodes that already carry their labels. Returns the Nodes written, and the API's refusal for those that failed.
     */
    public Result applyAll(KubernetesClient client, List<Labelling> labellings) {
        Map<String, Future<?>> sent = new LinkedHashMap<>();
        for (Labelling labelling : labellings) {
            if (needsApply(labelling.node(), labelling.desired())) {
                sent.put(labelling.node().getMetadata().getName(), patches.submit(() -> patch(client, labelling.node(), labelling.desired())));
            }
        }
        List<String> written = new ArrayList<>();
        Map<String, KubernetesClientException> failed = new LinkedHashMap<>();
        sent.forEach((name, patch) -> {
            try {
                patch.get();
                written.add(name);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof KubernetesClientException refused) {
                    failed.put(name, refused);
                } else {
                    throw new IllegalStateException("labelling Node " + name + " failed", e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while labelling Node " + name, e);
            }
        });
        return new Result(written, failed);
    }

    /** What {@link #applyAll} did: the Nodes patched, and those the API refused, by name. */
    public record Result(List<String> written, Map<String, KubernetesClientException> failed) {
    }

    @Override
    public void close() {
        patches.shutdownNow();
    }

    private static void patch(KubernetesClient client, Node node, Map<String, String> desired) {
        Node labels = new NodeBuilder().withNewMetadata().withName(node.getMetadata().getName()).withLabels(desired)
                .endMetadata().build();
        client.nodes().resource(labels).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }

    /** Whether a label is missing or wrong, or the manager still owns one no longer desired. Pure. */
    static boolean needsApply(Node node, Map<String, String> desired) {
        return !carries(node, desired) || !desired.keySet().containsAll(ownedLabels(node));
    }

    /** Whether every desired label is on the Node with the right value. Pure. */
    static boolean carries(Node node, Map<String, String> desired) {
        Map<String, String> actual = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        return desired.entrySet().stream().allMatch(e -> e.getValue().equals(actual.get(e.getKey())));
    }

    /** The label keys this manager applied, read from managedFields. Pure. */
    static Set<String> ownedLabels(Node node) {
        Set<String> owned = new TreeSet<>();
        if (node.getMetadata().getManagedFields() == null) {
            return owned;
        }
        for (ManagedFieldsEntry entry : node.getMetadata().getManagedFields()) {
            if (FIELD_MANAGER.equals(entry.getManager()) && "Apply".equals(entry.getOperation()) && entry.getFieldsV1() != null
                    && entry.getFieldsV1().getAdditionalProperties().get("f:metadata") instanceof Map<?, ?> metadata
                    && metadata.get("f:labels") instanceof Map<?, ?> labels) {
                labels.keySet().stream().map(String::valueOf).filter(k -> k.startsWith("f:"))
                        .forEach(k -> owned.add(k.substring(2)));
            }
        }
        return owned;
    }
}
