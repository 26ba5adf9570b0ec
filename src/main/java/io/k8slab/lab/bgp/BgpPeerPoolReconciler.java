package io.k8slab.lab.bgp;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.ConfigProvider;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.kube.client.EventRecorder;
import io.k8slab.lab.kube.client.StatusDiff;
import io.k8slab.lab.kube.client.StatusPatch;
import io.k8slab.lab.metallb.ResolvedTarget;
import io.k8slab.lab.metallb.MetalLbVersion;
import io.k8slab.lab.metallb.NotOwnedException;
import io.k8slab.lab.metallb.PoolUsage;
import io.k8slab.lab.metallb.apply.ConfigMapWriter;
import io.k8slab.lab.metallb.apply.ConfigWriter;
import io.k8slab.lab.metallb.apply.CrdDependents;
import io.k8slab.lab.metallb.apply.CrdWriter;
import io.k8slab.lab.metallb.apply.MetalLbComponents;
import io.k8slab.lab.metallb.apply.MetalLbInstallation;
import io.k8slab.lab.metrics.LabMetrics;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.routes.RouterSurvey;

/**
 * Keeps MetalLB configured from the BgpPeerPools, as a person would: check the pool against MetalLB's rules and
 * the other pools, install MetalLB if asked, write the merged configuration only when it differs, and report.
 *
 * <p>Every pool's reconcile renders the configuration from all accepted pools, so whichever runs last writes the
 * same bytes; concurrent writers are serialised by the ConfigMap's resourceVersion (a conflict is retried).
 */
@ControllerConfiguration(name = BgpPeerPoolReconciler.NAME)
@MaxReconciliationInterval(interval = 5, timeUnit = java.util.concurrent.TimeUnit.MINUTES)
public class BgpPeerPoolReconciler implements Reconciler<BgpPeerPool>, Cleaner<BgpPeerPool> {

    public static final String NAME = "bgppeerpool";

    /** The operator setting naming the MetalLB namespace it may touch. */
    public static final String NAMESPACE_SETTING = "lab.metallb.namespace";
    public static final String DEFAULT_METALLB_NAMESPACE = "metallb-system";

    /** How often the routers are asked again when nothing in the cluster changed: two cheap gRPC calls a peer. */
    static final Duration ROUTER_REFRESH = Duration.ofSeconds(10);

    private final Clock clock;
    private final Duration routerRefresh;
    private final LabMetrics metrics;
    /** The one namespace whose MetalLB objects the operator may read and write (deploy/operator grants no other). */
    private final String metallbNamespace;
    private final PoolInformers informers;
    /** MetalLB's configuration in CRD mode: one JOSDK bulk dependent per metallb.io kind, watched from the first need. */
    private final CrdDependents crdDependents;
    private final TargetPhase targetPhase;
    private final InstallPhase installPhase;
    private final ValidationPhase validationPhase;
    private final ConfigWritePhase configPhase;
    private final RoutersPhase routersPhase;

    public BgpPeerPoolReconciler() {
        this(Clock.systemUTC(), new RouterClients(), ROUTER_REFRESH);
    }

    /** With the MetalLB namespace of the operator's setting {@value #NAMESPACE_SETTING}. */
    public BgpPeerPoolReconciler(Clock clock, RouterClients routers, Duration routerRefresh) {
        this(clock, routers, routerRefresh, ConfigProvider.getConfig().getOptionalValue(NAMESPACE_SETTING, String.class)
                .orElse(DEFAULT_METALLB_NAMESPACE));
    }

    public BgpPeerPoolReconciler(Clock clock, RouterClients routers, Duration routerRefresh, String metallbNamespace) {
        this(clock, routers, routerRefresh, metallbNamespace, LabMetrics.global());
    }

    /** As above, reporting MetalLB writes and refusals, sessions and routes in {@code metrics}. */
    public BgpPeerPoolReconciler(Clock clock, RouterClients routers, Duration routerRefresh, String metallbNamespace, LabMetrics metrics) {
        this.metrics = metrics;
        this.clock = clock;
        this.routerRefresh = routerRefresh;
        this.metallbNamespace = metallbNamespace;
        this.informers = new PoolInformers(metallbNamespace);
        this.crdDependents = new CrdDependents(metallbNamespace);
        Refusals refusals = new Refusals(metrics);
        this.targetPhase = new TargetPhase(clock, metallbNamespace);
        this.installPhase = new InstallPhase(new MetalLbComponents(metallbNamespace));
        this.validationPhase = new ValidationPhase(refusals);
        this.configPhase = new ConfigWritePhase(metrics, refusals, new MetalLbStatusWatch(clock));
        this.routersPhase = new RoutersPhase(routers, new RouterTlsSecrets(clock), new EndpointWatch(), metrics);
    }

    /** None at start: {@link PoolInformers} registers each kind's informers at the first reconcile that reads it. */
    @Override
    public List<EventSource<?, BgpPeerPool>> prepareEventSources(EventSourceContext<BgpPeerPool> context) {
        return List.of();
    }

    private ConfigWriter configuration(MetalLbVersion.Mode mode, Context<BgpPeerPool> context, ResolvedTarget target) {
        return mode == MetalLbVersion.Mode.CRD ? new CrdWriter(context, target, crdDependents)
                : new ConfigMapWriter(context.getClient(), target, cached(context, ConfigMap.class).stream()
                        .filter(c -> target.namespace().equals(c.getMetadata().getNamespace())
                                && target.configMapName().equals(c.getMetadata().getName()))
                        .findFirst());
    }

    /**
     * The runbook: check the target, install MetalLB, check the pool, write MetalLB's configuration, see whether
     * MetalLB runs, ask the routers, count the addresses; then the status, from what the phases found, and when to
     * look again.
     */
    @Override
    public UpdateControl<BgpPeerPool> reconcile(BgpPeerPool pool, Context<BgpPeerPool> context) {
        BgpPeerPoolScope scope = new BgpPeerPoolScope(pool, context, clock.instant(), new BgpPeerPoolScope.Cache() {
            @Override
            public <R extends HasMetadata> List<R> list(Class<R> type) {
                return cached(context, type);
            }
        }, mode -> configuration(mode, context, ResolvedTarget.of(pool.getSpec().metallb)));
        BgpPeerPoolPhase.TARGET.run(() -> targetPhase.run(scope));
        BgpPeerPoolPhase.INSTALL.run(() -> installPhase.run(scope));
        BgpPeerPoolPhase.VALIDATION.run(() -> validationPhase.run(scope));
        BgpPeerPoolPhase.CONFIGURATION.run(() -> configPhase.run(scope));
        BgpPeerPoolPhase.AVAILABILITY.run(() -> scope.availability = MetalLbInstallation.availability(scope.controller, scope.speaker));
        BgpPeerPoolPhase.ROUTERS.run(() -> routersPhase.run(scope));
        BgpPeerPoolPhase.USAGE.run(() -> scope.usage = PoolUsage.of(scope.addressPoolsInForce(), scope.services, PoolUsage.ASSIGNMENT_LIMIT));
        UpdateControl<BgpPeerPool> control = StatusPatch.write(pool, BgpPeerPoolStatusAggregator.status(scope), BgpPeerPool::new);
        return nextLook(scope).map(control::rescheduleAfter).orElse(control);
    }

    /** A failure anywhere ends in Ready=False naming what failed (a conflict excepted); JOSDK retries with backoff. */
    @Override
    public ErrorStatusUpdateControl<BgpPeerPool> updateErrorStatus(BgpPeerPool pool, Context<BgpPeerPool> context, Exception e) {
        return BgpPeerPoolStatusAggregator.failed(pool, e, clock.instant())
                .filter(status -> StatusDiff.changed(pool.getStatus(), status))
                .map(status -> ErrorStatusUpdateControl.patchStatus(StatusPatch.patch(pool, status, BgpPeerPool::new)))
                .orElseGet(ErrorStatusUpdateControl::noStatusUpdate);
    }

    /**
     * Routers change without telling the cluster: look again on an interval when there is one to ask. A refused
     * write is tried again too: a namespace created later is not watched; a webhook that did not answer, with backoff.
     */
    private Optional<Duration> nextLook(BgpPeerPoolScope scope) {
        Optional<Duration> routerRecheck = scope.routing.sessions() == RouterSurvey.Verdict.NOT_OBSERVED ? Optional.empty() : Optional.of(routerRefresh);
        return Stream.of(scope.configRecheck, routerRecheck).flatMap(Optional::stream).min(Comparator.naturalOrder());
    }

    /** Every cached object of the kind, from all its informers (MetalLB's components have two: manifests' and Helm's labels). */
    private <R extends HasMetadata> List<R> cached(Context<BgpPeerPool> context, Class<R> type) {
        return informers.cached(context, type);
    }

    @Override
    public DeleteControl cleanup(BgpPeerPool pool, Context<BgpPeerPool> context) {
        ResolvedTarget target = ResolvedTarget.of(pool.getSpec().metallb);
        Optional<MetalLbVersion> version = MetalLbVersion.parse(target.version());
        if (version.isPresent() && targetPhase.namespaceNotAllowed(target).isEmpty()) {
            try {
                configuration(version.get().mode(), context, target).remove(pool).writes().forEach(write -> {
                    metrics.configWritten(ConfigWritePhase.modeLabel(version.get().mode()), "removal");
                    new EventRecorder(context.getClient()).normal(pool, "ConfigRemoved", write.description());
                });
            } catch (NotOwnedException e) {
                // Someone else's object: none of this pool's configuration is in it, and it stays as it is.
            }
        }
        metrics.forgetPool(pool.getMetadata().getName());
        return DeleteControl.defaultDelete();
    }
}
