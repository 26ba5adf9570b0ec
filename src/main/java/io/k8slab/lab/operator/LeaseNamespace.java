package io.k8slab.lab.operator;

import java.util.Optional;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Where the leader-election Lease lives. Every operator of a cluster must pick the same namespace, or each wins an
 * election of its own: so the kubeconfig context's namespace (kubeadm's admin.conf names none, a user's may name
 * any) is never used. In a pod it is the operator's own namespace; outside one (make run, java -jar), the namespace
 * deploy/operator runs in, so a local operator queues behind a deployed one.
 */
public record LeaseNamespace(String namespace, String why, boolean outsidePod) {

    /** deploy/operator's namespace: where a deployed operator holds its Lease. */
    public static final String DEFAULT = "lab-operator";
    /** When {@link #DEFAULT} is missing and cannot be created: every cluster has it. */
    static final String FALLBACK = "default";
    static final String SETTING = "lab.leader-election.namespace";

    /** What the namespace is chosen from; blank values count as absent. */
    public record Inputs(Optional<String> configured, Optional<String> podNamespace, Optional<String> serviceAccountNamespace) {
    }

    /**
     * The choice before asking the cluster: the setting, else the pod's namespace (downward API, then the service
     * account's namespace file), else {@link #DEFAULT}, which {@link #ensure} then makes sure exists.
     */
    public static LeaseNamespace choose(Inputs inputs) {
        return present(inputs.configured()).map(ns -> new LeaseNamespace(ns, "set by " + SETTING, false))
                .or(() -> present(inputs.podNamespace()).map(ns -> new LeaseNamespace(ns, "the operator's own namespace (POD_NAMESPACE)", false)))
                .or(() -> present(inputs.serviceAccountNamespace())
                        .map(ns -> new LeaseNamespace(ns, "the operator's own namespace (its service account's)", false)))
                .orElse(new LeaseNamespace(DEFAULT, "not in a pod: " + DEFAULT + ", where a deployed operator holds its Lease", true));
    }

    /**
     * For the outside-a-pod default: the namespace if it exists or can be created, else {@link #FALLBACK} with the
     * API server's answer in {@link #why}. Any other choice is returned as it is. An API server that does not
     * answer at all is an error: the operator cannot run without one, and guessing would split the election.
     */
    public LeaseNamespace ensure(KubernetesClient client) {
        if (!outsidePod) {
            return this;
        }
        try {
            Namespace existing = get(client);
            if (existing != null) {
                return existing.getMetadata().getDeletionTimestamp() == null ? this
                        : fallback("namespace " + namespace + " is being deleted");
            }
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
            return new LeaseNamespace(namespace, why + "; created it", true);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return this; // created meanwhile, or exists where this user may not read it
            }
            if (e.getCode() <= 0) {
                throw new IllegalStateException("cannot choose the leader-election namespace: the API server did not answer: " + e.getMessage(), e);
            }
            return fallback("cannot create namespace " + namespace + ": " + e.getCode() + " "
                    + Optional.ofNullable(e.getStatus()).map(s -> s.getMessage()).orElse(e.getMessage()));
        }
    }

    private Namespace get(KubernetesClient client) {
        try {
            return client.namespaces().withName(namespace).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                return null; // may not read namespaces: the create's answer tells whether it exists
            }
            throw e;
        }
    }

    private LeaseNamespace fallback(String reason) {
        // A deployed operator would then hold a Lease of its own: say so.
        return new LeaseNamespace(FALLBACK, reason + "; using " + FALLBACK + ", so an operator deployed in " + namespace
                + " would not share this election (set " + SETTING + " to choose)", true);
    }

    private static Optional<String> present(Optional<String> value) {
        return value.map(String::trim).filter(v -> !v.isEmpty());
    }
}
