package io.k8slab.lab.bgp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.metallb.Ownership;
import io.k8slab.lab.metallb.apply.MetalLbInstallation;
import io.k8slab.lab.routes.ExpectedRoutes;

/**
 * The informers BgpPeerPool's reconcile reads: MetalLB's objects (in its namespace only: the operator may read
 * nowhere else), the LabClusters, and what routes should exist (LoadBalancer Services, Nodes, MetalLB's speakers).
 * Every object of these kinds concerns every pool (a lab has one or a few). A kind's informers are registered with
 * the controller at its first read, not at start: an operator with no BgpPeerPool holds neither their caches nor the
 * model classes and deserializers they need (about 13 MiB of its idle 155 MiB, issue 13), and a kind no reconcile
 * reads (MetalLB's ConfigMap when it is configured by CRDs) is never watched. A Node's update wakes the pools only
 * when it can move a route ({@link ExpectedRoutes#movesRoutes}). Endpoints are {@link EndpointWatch}'s.
 */
final class PoolInformers {

    private static final Logger LOG = Logger.getLogger(PoolInformers.class);
    private static final String SPEAKER_SELECTOR = "app=metallb,component=speaker";
    private static final String HELM_SELECTOR = MetalLbInstallation.HELM_NAME_LABEL + "=metallb";

    /** One informer: its name, and where and what it watches (null: every namespace, every object). */
    private record Informer(String name, String namespace, String labelSelector) {
    }

    private final Map<Class<? extends HasMetadata>, List<Informer>> byKind;
    private final Set<Class<?>> watched = ConcurrentHashMap.newKeySet();

    PoolInformers(String metallbNamespace) {
        // MetalLB's components as its manifests label them, and as its Helm chart does (a MetalLB brought by the user).
        byKind = Map.of(
                ConfigMap.class, List.of(new Informer("metallb-configmaps", metallbNamespace, Ownership.MANAGED_BY_LABEL + "=" + Ownership.MANAGED_BY)),
                Deployment.class, List.of(new Informer("metallb-deployments", metallbNamespace, "app=metallb"),
                        new Informer("metallb-helm-deployments", metallbNamespace, HELM_SELECTOR)),
                DaemonSet.class, List.of(new Informer("metallb-daemonsets", metallbNamespace, "app=metallb"),
                        new Informer("metallb-helm-daemonsets", metallbNamespace, HELM_SELECTOR)),
                Pod.class, List.of(new Informer("metallb-speakers", metallbNamespace, SPEAKER_SELECTOR),
                        new Informer("metallb-helm-speakers", metallbNamespace, HELM_SELECTOR + "," + MetalLbInstallation.HELM_COMPONENT_LABEL + "=speaker")),
                LabCluster.class, List.of(new Informer("labclusters", null, null)),
                Service.class, List.of(new Informer("services", null, null)),
                Node.class, List.of(new Informer("nodes", null, null)));
    }

    /**
     * Every cached object of the kind, from all its informers (MetalLB's components have two), the informers
     * registered now if this is the kind's first read: that blocks until they have synced.
     */
    @SuppressWarnings("unchecked")
    <R extends HasMetadata> List<R> cached(Context<BgpPeerPool> context, Class<R> type) {
        if (!watched.contains(type)) {
            watch(context, type);
        }
        return context.eventSourceRetriever().getEventSourcesFor(type).stream()
                .flatMap(source -> ((InformerEventSource<R, BgpPeerPool>) source).list())
                .collect(Collectors.toMap(o -> o.getMetadata().getUid() == null ? ResourceID.fromResource(o).toString() : o.getMetadata().getUid(),
                        o -> o, (a, b) -> a, LinkedHashMap::new))
                .values().stream().toList();
    }

    /** Every pool: the secondary-to-primary mapping of every informer of the pools' reconciler. */
    static Set<ResourceID> allPools(EventSourceContext<BgpPeerPool> sources) {
        return sources.getPrimaryCache().list().map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    /** Under the lock, so a concurrent reconcile never lists a kind whose second informer is not registered yet. */
    private synchronized <R extends HasMetadata> void watch(Context<BgpPeerPool> context, Class<R> type) {
        if (watched.contains(type)) {
            return;
        }
        List<Informer> informers = byKind.get(type);
        if (informers == null) {
            throw new IllegalArgumentException("BgpPeerPool's reconcile watches no " + type.getSimpleName());
        }
        EventSourceContext<BgpPeerPool> sources = context.eventSourceRetriever().eventSourceContextForDynamicRegistration();
        for (Informer informer : informers) {
            var configuration = InformerEventSourceConfiguration.from(type, BgpPeerPool.class)
                    .withName(informer.name())
                    .withSecondaryToPrimaryMapper(o -> allPools(sources));
            if (informer.namespace() != null) {
                configuration.withNamespaces(Set.of(informer.namespace()));
            }
            if (informer.labelSelector() != null) {
                configuration.withLabelSelector(informer.labelSelector());
            }
            if (type == Node.class) {
                // Labelling a lab's 1,000 Nodes would otherwise reconcile every pool about 90 times a second (issue 13).
                configuration.withOnUpdateFilter((after, before) -> ExpectedRoutes.movesRoutes((Node) before, (Node) after,
                        ExpectedRoutes.selectorKeys(sources.getPrimaryCache().list())));
            }
            context.eventSourceRetriever().dynamicallyRegisterEventSource(new InformerEventSource<>(configuration.build(), sources));
        }
        watched.add(type);
        LOG.infof("watching %s for the BgpPeerPools", informers.stream().map(Informer::name).collect(Collectors.joining(", ")));
    }
}
