package io.k8slab.lab.metallb.apply;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.metallb.NotOwnedException;
import io.k8slab.lab.metallb.Ownership;
import io.k8slab.lab.metallb.ResolvedTarget;

/**
 * Installs an embedded MetalLB release and keeps its namespaced objects as released, through one JOSDK bulk
 * dependent per kind ({@link ComponentDependent}). Their informers are registered at the first install, not at
 * start (an operator that installs no MetalLB watches none of them), and only for the kinds the release has. A
 * reconcile with everything in place reads the caches only; a deleted or edited object is an event that puts it back.
 */
public final class MetalLbComponents {

    private final String metallbNamespace;
    /** Made at the first install: an operator that installs no MetalLB loads none of JOSDK's dependent machinery. */
    private List<ComponentDependent<?>> dependents;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    /** Each target's release, parsed and adapted once: a reconcile runs every router refresh. */
    private final Map<ResolvedTarget, List<GenericKubernetesResource>> released = new ConcurrentHashMap<>();

    /** For MetalLB's namespace: the only one the operator may read and write MetalLB's objects in. */
    public MetalLbComponents(String metallbNamespace) {
        this.metallbNamespace = metallbNamespace;
    }

    private synchronized List<ComponentDependent<?>> dependents() {
        if (dependents == null) {
            dependents = List.of(
                    new ComponentDependent<>(ServiceAccount.class, metallbNamespace, this::released),
                    new ComponentDependent<>(Role.class, metallbNamespace, this::released),
                    new ComponentDependent<>(RoleBinding.class, metallbNamespace, this::released),
                    new ComponentDependent<>(Secret.class, metallbNamespace, this::released),
                    new ComponentDependent<>(ConfigMap.class, metallbNamespace, this::released),
                    new ComponentDependent<>(Service.class, metallbNamespace, this::released),
                    new ComponentDependent<>(Deployment.class, metallbNamespace, this::released),
                    new ComponentDependent<>(DaemonSet.class, metallbNamespace, this::released));
        }
        return dependents;
    }

    /**
     * Creates what is missing and applies again what differs from the release, and returns what it wrote
     * ({@code Kind/name}), empty when everything was in place. Writes nothing at all when an object of a released
     * name exists that the operator does not own ({@link Ownership}): someone else's {@code controller} Deployment
     * stays as it is.
     *
     * @throws NotOwnedException naming those objects
     */
    public List<String> ensure(BgpPeerPool pool, Context<BgpPeerPool> context) {
        ResolvedTarget target = ResolvedTarget.of(pool.getSpec().metallb);
        List<ComponentDependent<?>> used = dependents().stream().filter(d -> !d.released(target).isEmpty()).toList();
        used.forEach(dependent -> register(dependent, context));
        refuseWhatIsNotOwned(used, target, context);
        List<String> written = new ArrayList<>();
        for (ComponentDependent<?> dependent : used) {
            ReconcileResult<?> result = dependent.reconcile(pool, context);
            result.getResourceOperations().forEach((object, operation) -> {
                if (operation != ReconcileResult.Operation.NONE) {
                    written.add(dependent.kind() + "/" + ((HasMetadata) object).getMetadata().getName());
                }
            });
        }
        return written;
    }

    /** The objects the operator watches are its own; one it does not hold is absent, or someone else's: asked once. */
    private static void refuseWhatIsNotOwned(List<ComponentDependent<?>> used, ResolvedTarget target, Context<BgpPeerPool> context) {
        List<String> notOwned = new ArrayList<>();
        for (ComponentDependent<?> dependent : used) {
            dependent.released(target).forEach((id, object) -> {
                if (dependent.cached(id).isEmpty()) {
                    HasMetadata found = context.getClient().resource(object).get();
                    if (!Ownership.mayWrite(found)) {
                        notOwned.add(Ownership.describe(found));
                    }
                }
            });
        }
        if (!notOwned.isEmpty()) {
            throw new NotOwnedException(notOwned);
        }
    }

    /** Once per kind; a concurrent reconcile waits here until the informer has synced. */
    private synchronized void register(ComponentDependent<?> dependent, Context<BgpPeerPool> context) {
        if (!registered.contains(dependent.kind())) {
            var retriever = context.eventSourceRetriever();
            dependent.eventSource(retriever.eventSourceContextForDynamicRegistration())
                    .ifPresent(retriever::dynamicallyRegisterEventSource);
            registered.add(dependent.kind());
        }
    }

    private List<GenericKubernetesResource> released(ResolvedTarget target) {
        return released.computeIfAbsent(target, t -> List.copyOf(MetalLbInstallation.desired(t)));
    }
}
