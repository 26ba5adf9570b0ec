package io.k8slab.lab.bgp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.metallb.MetalLbVersion;
import io.k8slab.lab.routes.SpeakerView;

/**
 * Watches MetalLB's own status resources, ServiceBGPStatus (v0.15.0 and later) and ConfigurationState (v0.15.3 and
 * later), once a pool targets such a MetalLB and the API server serves them: their informers are registered
 * with the controller on first need, not at start, so an operator that configures an older MetalLB (or one not
 * installed yet) neither watches nor fails on them. While a kind is not served it is asked again at most once a
 * {@link #PROBE_INTERVAL}.
 */
final class MetalLbStatusWatch {

    static final Duration PROBE_INTERVAL = Duration.ofMinutes(1);
    private static final Logger LOG = Logger.getLogger(MetalLbStatusWatch.class);

    private record Kind(String kind, String plural, MetalLbVersion since) {
        String eventSourceName() {
            return "metallb-" + plural;
        }
    }

    private static final Kind SERVICE_BGP_STATUS = new Kind(SpeakerView.SERVICE_BGP_STATUS, "servicebgpstatuses", new MetalLbVersion(0, 15, 0));
    private static final Kind CONFIGURATION_STATE = new Kind(SpeakerView.CONFIGURATION_STATE, "configurationstates", new MetalLbVersion(0, 15, 3));

    private final Clock clock;
    private final Set<Kind> watched = ConcurrentHashMap.newKeySet();
    private final Map<Kind, Instant> nextProbe = new ConcurrentHashMap<>();

    MetalLbStatusWatch(Clock clock) {
        this.clock = clock;
    }

    /** The speakers' view in {@code namespace}, or empty when this MetalLB publishes none (before v0.15, or not served). */
    Optional<SpeakerView> read(Context<BgpPeerPool> context, MetalLbVersion version, String namespace) {
        if (version.compareTo(SERVICE_BGP_STATUS.since()) < 0 || !watching(context, SERVICE_BGP_STATUS)) {
            return Optional.empty();
        }
        List<GenericKubernetesResource> states = version.compareTo(CONFIGURATION_STATE.since()) >= 0 && watching(context, CONFIGURATION_STATE)
                ? cached(context, CONFIGURATION_STATE, namespace) : List.of();
        return Optional.of(SpeakerView.of(cached(context, SERVICE_BGP_STATUS, namespace), states));
    }

    private boolean watching(Context<BgpPeerPool> context, Kind kind) {
        if (watched.contains(kind)) {
            return true;
        }
        Instant now = clock.instant();
        Instant due = nextProbe.get(kind);
        if (due != null && now.isBefore(due)) {
            return false;
        }
        if (!served(context, kind)) {
            nextProbe.put(kind, now.plus(PROBE_INTERVAL));
            return false;
        }
        EventSourceContext<BgpPeerPool> sources = context.eventSourceRetriever().eventSourceContextForDynamicRegistration();
        var configuration = InformerEventSourceConfiguration
                .from(new GroupVersionKind(SpeakerView.GROUP, SpeakerView.VERSION, kind.kind()), BgpPeerPool.class)
                .withName(kind.eventSourceName())
                .withSecondaryToPrimaryMapper(o -> PoolInformers.allPools(sources))
                .build();
        // Blocks until the informer has synced; registering twice under one name keeps the first.
        context.eventSourceRetriever().dynamicallyRegisterEventSource(new InformerEventSource<>(configuration, sources));
        watched.add(kind);
        LOG.infof("watching MetalLB's %s resources", kind.kind());
        return true;
    }

    /** Whether the API server serves the kind: one list of at most one object. */
    private static boolean served(Context<BgpPeerPool> context, Kind kind) {
        ResourceDefinitionContext definition = new ResourceDefinitionContext.Builder().withGroup(SpeakerView.GROUP)
                .withVersion(SpeakerView.VERSION).withKind(kind.kind()).withPlural(kind.plural()).withNamespaced(true).build();
        try {
            context.getClient().genericKubernetesResources(definition).inAnyNamespace().list(new ListOptionsBuilder().withLimit(1L).build());
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                LOG.warnf("cannot list MetalLB's %s resources: %s", kind.kind(), e.getMessage());
            }
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<GenericKubernetesResource> cached(Context<BgpPeerPool> context, Kind kind, String namespace) {
        return ((InformerEventSource<GenericKubernetesResource, BgpPeerPool>) context.eventSourceRetriever()
                .getEventSourceFor(GenericKubernetesResource.class, kind.eventSourceName())).list(namespace).toList();
    }
}
