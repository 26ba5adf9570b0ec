package io.k8slab.lab.bgp;

import java.util.List;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.routes.EndpointSource;
import io.k8slab.lab.routes.ExpectedRoutes;

/**
 * Watches where the pools' MetalLB releases read endpoints from ({@link EndpointSource}): EndpointSlices in the
 * newest discovery.k8s.io version the API server serves (v1 from Kubernetes 1.21, v1beta1 on 1.17 to 1.24), and v1
 * Endpoints only once a pool targets a MetalLB that reads them. Each informer is registered with the controller on
 * first need, not at start, so an operator configuring only current MetalLB never lists Endpoints, and one
 * configuring only v0.7.3 never lists slices. The served versions are read once, at the first need
 * (again while neither is served).
 */
final class EndpointWatch {

    private static final Logger LOG = Logger.getLogger(EndpointWatch.class);
    static final String ENDPOINTS = "endpoints";
    static final String SLICES = "endpointslices";

    /** A pool's MetalLB's endpoints: one of the two lists is filled, the other empty. */
    record Read(List<Endpoints> endpoints, List<EndpointSlice> slices) {
    }

    private volatile EndpointSource.Served served;
    private volatile boolean endpointsWatched;
    private volatile boolean slicesWatched;

    /** The endpoints MetalLB {@code version} reads, from the cache of an informer registered now if it is the first need. */
    Read read(Context<BgpPeerPool> context, String version) {
        EndpointSource.Served versions = served(context.getClient());
        if (EndpointSource.of(version, versions) == EndpointSource.ENDPOINTS) {
            watchEndpoints(context);
            return new Read(cached(context, Endpoints.class, ENDPOINTS), List.of());
        }
        if (versions.v1()) {
            watchSlices(context, EndpointSlice.class);
            return new Read(List.of(), cached(context, EndpointSlice.class, SLICES));
        }
        watchSlices(context, io.fabric8.kubernetes.api.model.discovery.v1beta1.EndpointSlice.class);
        return new Read(List.of(), cached(context, io.fabric8.kubernetes.api.model.discovery.v1beta1.EndpointSlice.class, SLICES)
                .stream().map(ExpectedRoutes::fromV1beta1).toList());
    }

    private EndpointSource.Served served(KubernetesClient client) {
        EndpointSource.Served versions = served;
        if (versions == null) {
            versions = new EndpointSource.Served(client.supports(EndpointSlice.class),
                    client.supports(io.fabric8.kubernetes.api.model.discovery.v1beta1.EndpointSlice.class));
            // Neither served (a server before 1.17, or discovery failing): asked again at the next need.
            served = versions.any() ? versions : null;
            LOG.infof("the API server serves EndpointSlices in discovery.k8s.io %s", versions.v1() ? "v1"
                    : versions.v1beta1() ? "v1beta1 (not v1)" : "in no version");
        }
        return versions;
    }

    private synchronized void watchEndpoints(Context<BgpPeerPool> context) {
        if (!endpointsWatched) {
            register(context, Endpoints.class, ENDPOINTS);
            endpointsWatched = true;
        }
    }

    private synchronized void watchSlices(Context<BgpPeerPool> context, Class<? extends HasMetadata> type) {
        if (!slicesWatched) {
            register(context, type, SLICES);
            slicesWatched = true;
        }
    }

    /** Blocks until the informer has synced. */
    private static <R extends HasMetadata> void register(Context<BgpPeerPool> context, Class<R> type, String name) {
        EventSourceContext<BgpPeerPool> sources = context.eventSourceRetriever().eventSourceContextForDynamicRegistration();
        var configuration = InformerEventSourceConfiguration.from(type, BgpPeerPool.class)
                .withName(name)
                .withSecondaryToPrimaryMapper(o -> PoolInformers.allPools(sources))
                .build();
        context.eventSourceRetriever().dynamicallyRegisterEventSource(new InformerEventSource<>(configuration, sources));
        LOG.infof("watching %s (%s) for the expected routes", name, HasMetadata.getApiVersion(type));
    }

    @SuppressWarnings("unchecked")
    private static <R extends HasMetadata> List<R> cached(Context<BgpPeerPool> context, Class<R> type, String name) {
        return ((InformerEventSource<R, BgpPeerPool>) context.eventSourceRetriever().getEventSourceFor(type, name)).list().toList();
    }
}
