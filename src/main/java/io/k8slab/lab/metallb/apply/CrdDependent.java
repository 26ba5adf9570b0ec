package io.k8slab.lab.metallb.apply;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Deleter;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.dependent.BulkUpdater;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.KubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.GenericKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfigBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.metallb.CrdRenderer;

/**
 * The metallb.io resources of one kind that the BgpPeerPools render, as a JOSDK bulk dependent: JOSDK creates
 * what is missing and applies (server-side, forced) what its SSA matcher finds changed in the fields the operator
 * set, and deletes what is labelled for the pool but no longer rendered ({@link Deleter}). Not garbage collected:
 * the resources carry no ownerReference, since a BGPPeer shared by several pools passes to the next pool when its
 * first one goes, and the pool's cleanup deletes the rest. What to render and whether it may be written is
 * {@link CrdWriter}'s, which hands each reconcile's {@link Pass} over in the context. The informer watches every
 * object of the kind in MetalLB's namespace, so the reconcile finds a same-named object that is not the
 * operator's without a GET. Shared by every reconcile: it holds the informer.
 */
final class CrdDependent extends GenericKubernetesDependentResource<BgpPeerPool>
        implements KubernetesBulkDependentResource<GenericKubernetesResource, BgpPeerPool>,
        Creator<GenericKubernetesResource, BgpPeerPool>, BulkUpdater<GenericKubernetesResource, BgpPeerPool>, Deleter<BgpPeerPool>,
        SecondaryToPrimaryMapper<GenericKubernetesResource> {

    /** One reconcile's work on this kind: what the pool renders of it (nothing when it is removed), and what was written. */
    static final class Pass {
        final Map<ResourceID, GenericKubernetesResource> desired = new LinkedHashMap<>();
        /** Created or updated, as JOSDK reports it (deletions it does not report). */
        Map<GenericKubernetesResource, ReconcileResult.Operation> applied = Map.of();
        final List<GenericKubernetesResource> deleted = new ArrayList<>();
    }

    private final GroupVersionKind kind;
    private final String namespace;

    CrdDependent(GroupVersionKind kind, String namespace) {
        super(kind, "metallb-" + kind.getKind().toLowerCase() + "s");
        this.kind = kind;
        this.namespace = namespace;
        // Explicit, whatever the operator's SSA setting: a create must fail (409) on an object the cache has not seen.
        configureWith(new KubernetesDependentResourceConfigBuilder<GenericKubernetesResource>().withUseSSA(true)
                .withCreateResourceOnlyIfNotExistingWithSSA(true).build());
    }

    GroupVersionKind kind() {
        return kind;
    }

    /**
     * Puts {@code desired} (this kind's resources the pool renders) in force for the pool. They go through JSON
     * first, so that they hold what the informer's copies would (an ASN as the smallest integer type that fits it):
     * JOSDK's matcher compares the two as maps.
     */
    Pass reconcile(BgpPeerPool pool, Context<BgpPeerPool> context, List<GenericKubernetesResource> desired) {
        Pass pass = start(context);
        desired.forEach(r -> pass.desired.put(ResourceID.fromResource(r), Serialization.unmarshal(Serialization.asJson(r), GenericKubernetesResource.class)));
        pass.applied = reconcile(pool, context).getResourceOperations();
        return pass;
    }

    /** Deletes every resource labelled for the pool. */
    Pass remove(BgpPeerPool pool, Context<BgpPeerPool> context) {
        Pass pass = start(context);
        delete(pool, context);
        return pass;
    }

    private Pass start(Context<BgpPeerPool> context) {
        Pass pass = new Pass();
        context.managedWorkflowAndDependentResourceContext().put(this, pass);
        return pass;
    }

    @Override
    protected InformerEventSourceConfiguration.Builder<GenericKubernetesResource> informerConfigurationBuilder(EventSourceContext<BgpPeerPool> context) {
        return super.informerConfigurationBuilder(context).withNamespaces(Set.of(namespace));
    }

    /** The cached object of that name: what the informer last saw, or what this operator last wrote. */
    Optional<GenericKubernetesResource> cached(ResourceID id) {
        return eventSource().orElseThrow().get(id);
    }

    /** The objects labelled for the pool. */
    List<GenericKubernetesResource> owned(BgpPeerPool pool) {
        return eventSource().orElseThrow().list(namespace, r -> ownedBy(r, pool)).toList();
    }

    /** A change to a resource concerns the pool its owner label names; anything else in the namespace, none. */
    @Override
    public Set<ResourceID> toPrimaryResourceIDs(GenericKubernetesResource resource) {
        String owner = resource.getMetadata().getLabels() == null ? null : resource.getMetadata().getLabels().get(CrdRenderer.OWNER_LABEL);
        return owner == null ? Set.of() : Set.of(new ResourceID(owner));
    }

    /** The owner label says which pool a resource is; JOSDK's primary-name annotations would say it twice. */
    @Override
    protected void addReferenceHandlingMetadata(GenericKubernetesResource desired, BgpPeerPool primary) {
    }

    @Override
    public Map<ResourceID, GenericKubernetesResource> desiredResources(BgpPeerPool pool, Context<BgpPeerPool> context) {
        return pass(context).desired;
    }

    /**
     * The objects labelled for the pool, and those it renders now under another pool's label (a shared BGPPeer
     * whose first pool went), so JOSDK updates them rather than create them again. Read through the event source's
     * {@code get}, which sees this operator's own writes before the informer does.
     */
    @Override
    public Map<ResourceID, GenericKubernetesResource> getSecondaryResources(BgpPeerPool pool, Context<BgpPeerPool> context) {
        Map<ResourceID, GenericKubernetesResource> actual = new LinkedHashMap<>();
        owned(pool).forEach(r -> actual.put(ResourceID.fromResource(r), r));
        for (ResourceID id : pass(context).desired.keySet()) {
            cached(id).ifPresent(r -> actual.put(id, r));
        }
        return actual;
    }

    @Override
    public GenericKubernetesResource create(GenericKubernetesResource desired, BgpPeerPool pool, Context<BgpPeerPool> context) {
        return refusedByWebhook(desired, () -> super.create(desired, pool, context));
    }

    @Override
    public GenericKubernetesResource update(GenericKubernetesResource actual, GenericKubernetesResource desired, BgpPeerPool pool,
            Context<BgpPeerPool> context) {
        return refusedByWebhook(desired, () -> super.update(actual, desired, pool, context));
    }

    /** Deleted, and told, unless it was gone already (the informer had not seen the deletion yet). */
    @Override
    public void deleteTargetResource(BgpPeerPool pool, GenericKubernetesResource resource, ResourceID key, Context<BgpPeerPool> context) {
        if (!context.getClient().resource(resource).delete().isEmpty()) {
            pass(context).deleted.add(resource);
        }
    }

    private static GenericKubernetesResource refusedByWebhook(GenericKubernetesResource desired, Supplier<GenericKubernetesResource> write) {
        try {
            return write.get();
        } catch (KubernetesClientException e) {
            if (WebhookNotReadyException.isWebhookCallFailure(e)) {
                throw new WebhookNotReadyException(desired.getKind() + " " + desired.getMetadata().getNamespace() + "/"
                        + desired.getMetadata().getName(), e);
            }
            throw e;
        }
    }

    /** This reconcile's pass: JOSDK calls back into the dependent with the context only. */
    private Pass pass(Context<BgpPeerPool> context) {
        return context.managedWorkflowAndDependentResourceContext().getMandatory(this, Pass.class);
    }

    static boolean ownedBy(GenericKubernetesResource resource, BgpPeerPool pool) {
        return resource.getMetadata().getLabels() != null
                && pool.getMetadata().getName().equals(resource.getMetadata().getLabels().get(CrdRenderer.OWNER_LABEL));
    }
}
