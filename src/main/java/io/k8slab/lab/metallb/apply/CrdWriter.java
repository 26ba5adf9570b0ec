package io.k8slab.lab.metallb.apply;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.metallb.ConfigMapRenderer;
import io.k8slab.lab.metallb.CrdRenderer;
import io.k8slab.lab.metallb.MetalLbModel;
import io.k8slab.lab.metallb.NotOwnedException;
import io.k8slab.lab.metallb.Ownership;
import io.k8slab.lab.metallb.ResolvedTarget;

/**
 * MetalLB v0.13 and later: each BgpPeerPool owns the metallb.io resources rendered from it (labelled
 * {@link CrdRenderer#OWNER_LABEL}), written through one JOSDK bulk dependent per kind ({@link CrdDependents}).
 * Accepting a pool applies what differs and prunes what it no longer renders; an invalid pool's resources are left
 * exactly as they are, which is its last valid configuration. A resource of the same name the operator does not own
 * ({@link Ownership}) stops the write: nothing is changed. Everything is read from the informers' caches: a
 * reconcile with nothing to change sends no request.
 */
public final class CrdWriter implements ConfigWriter {

    private final Context<BgpPeerPool> context;
    private final ResolvedTarget target;
    private final CrdDependents dependents;

    public CrdWriter(Context<BgpPeerPool> context, ResolvedTarget target, CrdDependents dependents) {
        this.context = context;
        this.target = target;
        this.dependents = dependents;
    }

    /** The other pools for the same target that were last found valid (the controller's cache): their resources are what is in force. */
    @Override
    public List<BgpPeerPool> othersInForce(BgpPeerPool pool) {
        return context.getPrimaryCache().list()
                .filter(other -> !other.getMetadata().getName().equals(pool.getMetadata().getName()))
                .filter(other -> ResolvedTarget.of(other.getSpec().metallb).equals(target))
                .filter(other -> other.getStatus() != null && Conditions.isTrue(other.getStatus().conditions, BgpPeerPoolConditions.VALID))
                .sorted(Comparator.comparing(other -> other.getMetadata().getName()))
                .toList();
    }

    /** The resources hold no copy of the spec they came from. */
    @Override
    public Optional<BgpPeerPool> lastAccepted(BgpPeerPool pool) {
        return Optional.empty();
    }

    @Override
    public Outcome accept(BgpPeerPool pool) {
        List<CrdDependent> watched = dependents.watched(context);
        // Rendered with the pools in force so that a router shared by several pools becomes one BGPPeer (owned by
        // the first pool by name), then cut down to what this pool owns.
        List<BgpPeerPool> pools = new ArrayList<>(othersInForce(pool));
        pools.add(pool);
        List<GenericKubernetesResource> desired = CrdRenderer.render(MetalLbModel.of(pools)).stream()
                .filter(r -> CrdDependent.ownedBy(r, pool))
                .toList();
        List<String> notOwned = new ArrayList<>();
        for (CrdDependent dependent : watched) {
            ofKind(desired, dependent).forEach(wanted -> dependent.cached(ResourceID.fromResource(wanted))
                    .filter(found -> !owned(found, pool)).ifPresent(found -> notOwned.add(Ownership.describe(found))));
        }
        if (!notOwned.isEmpty()) {
            throw new NotOwnedException(notOwned);
        }
        List<Write> writes = new ArrayList<>();
        for (CrdDependent dependent : watched) {
            writes.addAll(writes(dependent.reconcile(pool, context, ofKind(desired, dependent))));
        }
        return new Outcome(writes, hash(desired), true);
    }

    @Override
    public Outcome keep(BgpPeerPool pool) {
        List<GenericKubernetesResource> current = dependents.watched(context).stream().flatMap(dependent -> dependent.owned(pool).stream()).toList();
        return new Outcome(List.of(), hash(current), !current.isEmpty());
    }

    /** Without MetalLB's CRDs none of the pool's resources can exist: nothing to remove. */
    @Override
    public Outcome remove(BgpPeerPool pool) {
        List<Write> writes = new ArrayList<>();
        try {
            dependents.watched(context).forEach(dependent -> writes.addAll(writes(dependent.remove(pool, context))));
        } catch (MetalLbCrdsMissingException e) {
            // Nothing was written, and nothing is left behind.
        }
        return new Outcome(writes, hash(List.of()), false);
    }

    private static List<GenericKubernetesResource> ofKind(List<GenericKubernetesResource> resources, CrdDependent dependent) {
        return resources.stream().filter(r -> dependent.kind().apiVersion().equals(r.getApiVersion())
                && dependent.kind().getKind().equals(r.getKind())).toList();
    }

    private List<Write> writes(CrdDependent.Pass pass) {
        List<Write> writes = new ArrayList<>();
        pass.deleted.forEach(r -> writes.add(new Write(describe(r, "deleted"), false)));
        pass.applied.entrySet().stream().filter(e -> e.getValue() != ReconcileResult.Operation.NONE)
                .sorted(Comparator.comparing(e -> e.getKey().getMetadata().getName()))
                .forEach(e -> writes.add(new Write(describe(e.getKey(), e.getValue() == ReconcileResult.Operation.CREATED ? "created" : "updated"), false)));
        return writes;
    }

    /** Absent, the operator's ({@link Ownership}), or rendered from this pool by an operator that did not label it yet. */
    private static boolean owned(GenericKubernetesResource live, BgpPeerPool pool) {
        return Ownership.mayWrite(live) || CrdDependent.ownedBy(live, pool);
    }

    private static String key(GenericKubernetesResource resource) {
        return resource.getKind() + "/" + resource.getMetadata().getName();
    }

    private String describe(GenericKubernetesResource resource, String verb) {
        return resource.getKind() + " " + target.namespace() + "/" + resource.getMetadata().getName() + " " + verb;
    }

    private static String hash(List<GenericKubernetesResource> resources) {
        StringBuilder text = new StringBuilder();
        resources.stream().sorted(Comparator.comparing(CrdWriter::key))
                .forEach(r -> text.append(key(r)).append(Serialization.asJson(r.getAdditionalProperties().get("spec"))).append('\n'));
        return ConfigMapRenderer.hash(text.toString());
    }
}
