package io.k8slab.lab.metallb.apply;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.BulkUpdater;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.KubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfigBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.metallb.Ownership;
import io.k8slab.lab.metallb.ResolvedTarget;

/**
 * One kind of MetalLB's released namespaced objects ({@link MetalLbInstallation#desired}: two ServiceAccounts,
 * the controller Deployment, ...) as a JOSDK bulk dependent: watched in MetalLB's namespace (the operator's objects
 * only), created when missing and server-side applied again when someone changed a field of the release.
 *
 * <p>Every BgpPeerPool that installs MetalLB wants the same objects, so they are no pool's: no owner reference
 * (deleting one pool must not take MetalLB from the others) and no JOSDK primary annotation (each pool would write
 * its own name over the last one's). Nothing is deleted: MetalLB stays when its last pool goes, as it was installed.
 * An event on any of them concerns every pool. Objects of another owner never reach this dependent
 * ({@link MetalLbComponents} checks them first).
 */
final class ComponentDependent<R extends HasMetadata> extends KubernetesDependentResource<R, BgpPeerPool>
        implements KubernetesBulkDependentResource<R, BgpPeerPool>, Creator<R, BgpPeerPool>, BulkUpdater<R, BgpPeerPool>,
        SecondaryToPrimaryMapper<R> {

    private final String kind;
    private final String namespace;
    private final Function<ResolvedTarget, List<GenericKubernetesResource>> released;
    private volatile EventSourceContext<BgpPeerPool> sources;

    /**
     * @param released the target's released objects, of every kind
     */
    ComponentDependent(Class<R> type, String namespace, Function<ResolvedTarget, List<GenericKubernetesResource>> released) {
        super(type, "metallb-installed-" + type.getSimpleName().toLowerCase());
        this.kind = type.getSimpleName();
        this.namespace = namespace;
        this.released = released;
        // Server-side apply for Secrets and ConfigMaps too (JOSDK's default updates them whole): MetalLB's controller
        // writes its webhook certificate into the released Secret, and an update with the release's empty one would
        // drop it. Applied whether or not it exists: an object adopted by annotation is not in the cache yet.
        configureWith(new KubernetesDependentResourceConfigBuilder<R>().withUseSSA(true)
                .withCreateResourceOnlyIfNotExistingWithSSA(false).build());
    }

    String kind() {
        return kind;
    }

    /** The target's released objects of this kind, by id. */
    Map<ResourceID, GenericKubernetesResource> released(ResolvedTarget target) {
        Map<ResourceID, GenericKubernetesResource> byId = new LinkedHashMap<>();
        released.apply(target).stream().filter(object -> kind.equals(object.getKind()))
                .forEach(object -> byId.put(ResourceID.fromResource(object), object));
        return byId;
    }

    @Override
    public Map<ResourceID, R> desiredResources(BgpPeerPool pool, Context<BgpPeerPool> context) {
        Map<ResourceID, R> desired = new LinkedHashMap<>();
        released(ResolvedTarget.of(pool.getSpec().metallb))
                .forEach((id, object) -> desired.put(id, Serialization.jsonMapper().convertValue(object, resourceType())));
        return desired;
    }

    /** The released names as the informer holds them (not JOSDK's index of each object's pools: every pool shares them). */
    @Override
    public Map<ResourceID, R> getSecondaryResources(BgpPeerPool pool, Context<BgpPeerPool> context) {
        Map<ResourceID, R> live = new LinkedHashMap<>();
        released(ResolvedTarget.of(pool.getSpec().metallb)).keySet()
                .forEach(id -> cached(id).ifPresent(object -> live.put(id, object)));
        return live;
    }

    Optional<R> cached(ResourceID id) {
        return eventSource().flatMap(source -> source.get(id));
    }

    @Override
    public Set<ResourceID> toPrimaryResourceIDs(R object) {
        return sources.getPrimaryCache().list().map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    @Override
    protected void addReferenceHandlingMetadata(R desired, BgpPeerPool pool) {
        // Shared by every pool: see the class comment.
    }

    @Override
    protected InformerEventSource<R, BgpPeerPool> createEventSource(EventSourceContext<BgpPeerPool> context) {
        this.sources = context;
        return super.createEventSource(context);
    }

    @Override
    protected InformerEventSourceConfiguration.Builder<R> informerConfigurationBuilder(EventSourceContext<BgpPeerPool> context) {
        return super.informerConfigurationBuilder(context).withNamespaces(Set.of(namespace))
                .withLabelSelector(Ownership.MANAGED_BY_LABEL + "=" + Ownership.MANAGED_BY);
    }
}
