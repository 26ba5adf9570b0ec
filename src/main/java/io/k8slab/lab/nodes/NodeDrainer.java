package io.k8slab.lab.nodes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.PodResource;

/**
 * {@code kubectl drain --ignore-daemonsets} in steps that never wait: cordon the Node, ask the Eviction API to
 * evict each pod on it (the API server enforces PodDisruptionBudgets and answers 429 while one forbids it), leave
 * DaemonSet and mirror pods alone, and report what is left. The caller looks again later until the Node is drained.
 */
public final class NodeDrainer implements AutoCloseable {

    static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

    /** Where a drain stands: drained when no evictable pod is left, with what happened in words. */
    public record Progress(boolean drained, String message) {
    }

    private KubernetesClient source;
    private KubernetesClient evictions;

    /**
     * A client like {@code client} that does not retry: fabric8 retries a 429 with backoff for up to about 20 s,
     * which would hold the reconcile thread, while for an eviction a 429 is the answer (a budget forbids it now).
     */
    private synchronized KubernetesClient evictionClient(KubernetesClient client) {
        if (source != client) {
            close();
            evictions = new KubernetesClientBuilder()
                    .withConfig(new ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build()).build();
            source = client;
        }
        return evictions;
    }

    @Override
    public synchronized void close() {
        if (evictions != null) {
            evictions.close();
            evictions = null;
            source = null;
        }
    }

    public Progress drain(KubernetesClient client, Node node) {
        String name = node.getMetadata().getName();
        if (!Boolean.TRUE.equals(node.getSpec() == null ? null : node.getSpec().getUnschedulable())) {
            client.nodes().withName(name).edit(n -> {
                n.getSpec().setUnschedulable(true);
                return n;
            });
        }
        List<Pod> pods = client.pods().inAnyNamespace().withField("spec.nodeName", name).list().getItems();
        List<Pod> toEvict = evictable(pods);
        long terminating = pods.stream().filter(p -> !isDaemonSetOrMirror(p) && isTerminating(p)).count();
        boolean v1 = evictionV1(client);
        List<String> blocked = new ArrayList<>();
        int evicted = 0;
        for (Pod pod : toEvict) {
            if (evict(evictionClient(client), pod, v1)) {
                evicted++;
            } else {
                blocked.add(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
            }
        }
        if (toEvict.isEmpty() && terminating == 0) {
            return new Progress(true, "cordoned and drained");
        }
        StringBuilder message = new StringBuilder("cordoned; draining: ");
        message.append(evicted).append(" pod(s) evicted");
        if (terminating > 0) {
            message.append(", ").append(terminating).append(" terminating");
        }
        if (!blocked.isEmpty()) {
            message.append(", eviction of ").append(String.join(", ", blocked))
                    .append(" refused for now by a PodDisruptionBudget; retrying");
        }
        return new Progress(false, message.toString());
    }

    public static void delete(KubernetesClient client, String node) {
        client.nodes().withName(node).delete();
    }

    /** Pods the drain must evict: not DaemonSet-managed, not mirror pods, not already on their way out. Pure. */
    static List<Pod> evictable(List<Pod> pods) {
        return pods.stream().filter(p -> !isDaemonSetOrMirror(p) && !isTerminating(p)).toList();
    }

    private static boolean isDaemonSetOrMirror(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        boolean mirror = annotations != null && annotations.containsKey(MIRROR_ANNOTATION);
        boolean daemonSet = pod.getMetadata().getOwnerReferences() != null && pod.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> "DaemonSet".equals(o.getKind()) && Boolean.TRUE.equals(o.getController()));
        return mirror || daemonSet;
    }

    private static boolean isTerminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    /** True when evicted (or already gone), false when a PodDisruptionBudget refuses it now. */
    private static boolean evict(KubernetesClient client, Pod pod, boolean v1) {
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        PodResource resource = client.pods().inNamespace(namespace).withName(name);
        try {
            return v1
                    ? resource.evict(new EvictionBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata().build())
                    : resource.evict();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return true;
            }
            throw e;
        }
    }

    /** Like kubectl: the Eviction version the server lists for pods/eviction (policy/v1 from 1.22, v1beta1 before). */
    private static boolean evictionV1(KubernetesClient client) {
        return client.getApiResources("v1").getResources().stream()
                .filter(r -> "pods/eviction".equals(r.getName()))
                .map(APIResource::getVersion)
                .anyMatch("v1"::equals);
    }
}
