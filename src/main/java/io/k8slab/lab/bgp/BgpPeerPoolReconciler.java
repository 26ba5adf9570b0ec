package io.k8slab.lab.bgp;

import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.CONFIG_APPLIED;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.METALLB_AVAILABLE;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.NAMESPACE_NOT_ALLOWED;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.PEERS_ESTABLISHED;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.READY;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.ROUTES_CONVERGED;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.VALID;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.WEBHOOK_NOT_READY;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.function.Function;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.ConfigProvider;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.k8slab.lab.api.v1alpha1.AddressPool;
import io.k8slab.lab.api.v1alpha1.BgpPeer;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.BgpPeerPoolStatus;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabNetworks;
import io.k8slab.lab.kube.Backoff;
import io.k8slab.lab.kube.Conditions;
import io.k8slab.lab.kube.Violation;
import io.k8slab.lab.kube.client.EventRecorder;
import io.k8slab.lab.kube.client.StatusPatch;
import io.k8slab.lab.metallb.ResolvedTarget;
import io.k8slab.lab.metallb.KubernetesCompatibility;
import io.k8slab.lab.metallb.CrdRenderer;
import io.k8slab.lab.metallb.MetalLbModel;
import io.k8slab.lab.metallb.MetalLbVersion;
import io.k8slab.lab.metallb.NotOwnedException;
import io.k8slab.lab.metallb.PoolUsage;
import io.k8slab.lab.metallb.Ownership;
import io.k8slab.lab.metallb.apply.InstallationChecks;
import io.k8slab.lab.metallb.apply.ConfigMapWriter;
import io.k8slab.lab.metallb.apply.ConfigWriter;
import io.k8slab.lab.metallb.apply.CrdWriter;
import io.k8slab.lab.metallb.apply.MetalLbInstallation;
import io.k8slab.lab.metallb.apply.WebhookNotReadyException;
import io.k8slab.lab.metrics.LabMetrics;
import io.k8slab.lab.router.gobgp.RouterClients;
import io.k8slab.lab.routes.ExpectedRoutes;
import io.k8slab.lab.routes.RouterSurvey;
import io.k8slab.lab.routes.SpeakerView;

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
    /** How soon a refused write of MetalLB's configuration (say, its namespace missing) is tried again. */
    static final Duration WRITE_RECHECK = Duration.ofSeconds(10);
    /** Retries while MetalLB's webhook does not answer yet: its controller is starting. */
    static final Backoff WEBHOOK_BACKOFF = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5));

    private final Clock clock;
    private final RouterClients routers;
    private final RouterTlsSecrets tlsSecrets;
    private final Duration routerRefresh;
    private final InstallationChecks installationChecks;
    private final MetalLbStatusWatch metalLbStatus;
    private final EndpointWatch endpointWatch = new EndpointWatch();
    private final PoolInformers informers;
    private final LabMetrics metrics;
    /** The one namespace whose MetalLB objects the operator may read and write (deploy/operator grants no other). */
    private final String metallbNamespace;
    /** Writes refused in a row because MetalLB's webhook did not answer, by pool name. */
    private final Map<String, Integer> webhookFailures = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile CachedVersion kubernetesVersion;

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
        this.routers = routers;
        this.tlsSecrets = new RouterTlsSecrets(clock);
        this.routerRefresh = routerRefresh;
        this.metallbNamespace = metallbNamespace;
        this.informers = new PoolInformers(metallbNamespace);
        this.installationChecks = new InstallationChecks(clock, InstallationChecks.INTERVAL);
        this.metalLbStatus = new MetalLbStatusWatch(clock);
    }

    /** None at start: {@link PoolInformers} registers each kind's informers at the first reconcile that reads it. */
    @Override
    public List<EventSource<?, BgpPeerPool>> prepareEventSources(EventSourceContext<BgpPeerPool> context) {
        return List.of();
    }

    private ConfigWriter configuration(MetalLbVersion.Mode mode, Context<BgpPeerPool> context, ResolvedTarget target) {
        return mode == MetalLbVersion.Mode.CRD ? new CrdWriter(context.getClient(), target)
                : new ConfigMapWriter(context.getClient(), target, cached(context, ConfigMap.class).stream()
                        .filter(c -> target.namespace().equals(c.getMetadata().getNamespace())
                                && target.configMapName().equals(c.getMetadata().getName()))
                        .findFirst());
    }

    @Override
    public UpdateControl<BgpPeerPool> reconcile(BgpPeerPool pool, Context<BgpPeerPool> context) {
        KubernetesClient client = context.getClient();
        EventRecorder events = new EventRecorder(client);
        Instant now = clock.instant();
        Long generation = pool.getMetadata().getGeneration();
        BgpPeerPoolStatus status = startStatus(pool);
        ResolvedTarget target = ResolvedTarget.of(pool.getSpec().metallb);

        Optional<Violation> versionProblem = MetalLbVersion.check(target.version());
        Optional<Violation> namespaceProblem = namespaceNotAllowed(target);
        MetalLbVersion.Mode mode = versionProblem.isPresent() || namespaceProblem.isPresent() ? null
                : MetalLbVersion.parse(target.version()).orElseThrow().mode();

        // From the informers' caches: a timed router refresh re-reads neither for the install check nor for availability.
        Optional<Deployment> controller = cached(context, Deployment.class).stream().filter(d -> MetalLbInstallation.isController(d, target)).findFirst();
        Optional<DaemonSet> speaker = cached(context, DaemonSet.class).stream().filter(d -> MetalLbInstallation.isSpeaker(d, target)).findFirst();

        // 1. Install MetalLB, or put back what was deleted or edited.
        Optional<Violation> notInstallable = MetalLbInstallation.notInstallable(target)
                .or(() -> target.install() ? KubernetesCompatibility.check(target, kubernetesVersion(client)) : Optional.empty());
        Optional<NotOwnedException> installNotOwned = Optional.empty();
        if (target.install() && mode != null && notInstallable.isEmpty() && installationChecks.due(target, controller, speaker)) {
            try {
                List<String> written = MetalLbInstallation.ensure(client, target);
                installationChecks.checked(target);
                if (!written.isEmpty()) {
                    events.normal(pool, "MetalLBInstalled", "applied " + String.join(", ", written) + " for " + target);
                }
            } catch (NotOwnedException e) {
                installNotOwned = Optional.of(e);
            }
        }

        // 2. Check the pool against MetalLB's rules, the pools already in force and the lab's networks ...
        ConfigWriter configuration = mode == null ? null : configuration(mode, context, target);
        List<Violation> violations = new ArrayList<>();
        versionProblem.ifPresent(violations::add);
        namespaceProblem.ifPresent(violations::add);
        notInstallable.ifPresent(violations::add);
        List<BgpPeerPool> others = mode == null ? List.of() : configuration.othersInForce(pool);
        Optional<BgpPeerPool> lastAccepted = mode == null ? Optional.empty() : configuration.lastAccepted(pool);
        List<Service> services = cached(context, Service.class);
        if (mode != null) {
            // ... and against the addresses MetalLB has handed out from it.
            violations.addAll(MetalLbModel.parse(pool, others, new MetalLbModel.Facts(labNetworks(context), lastAccepted, services)).violations());
        }
        boolean valid = violations.isEmpty();
        reportValidity(pool, status, violations, events, now);
        reportUsage(status, valid ? Optional.of(pool) : lastAccepted, services);

        // 3. Write MetalLB's configuration when it differs: this pool's new spec if valid, else its last accepted one.
        boolean writeFailed = false;
        Optional<WebhookNotReadyException> webhookNotReady = Optional.empty();
        if (mode != null) {
            try {
                ConfigWriter.Outcome outcome = valid ? configuration.accept(pool) : configuration.keep(pool);
                webhookFailures.remove(pool.getMetadata().getName());
                outcome.writes().forEach(write -> {
                    metrics.configWritten(modeLabel(mode), write.repairedDrift() ? "drift" : "change");
                    if (write.repairedDrift()) {
                        events.warning(pool, "DriftRepaired", write.description());
                    } else {
                        events.normal(pool, "ConfigApplied", write.description());
                    }
                });
                status.configHash = outcome.hash();
                Conditions.set(status.conditions, CONFIG_APPLIED, outcome.poolInForce(),
                        !outcome.poolInForce() ? "NeverApplied" : valid ? "Applied" : "LastValidConfigInForce",
                        !outcome.poolInForce() ? "no valid spec of this pool was ever applied"
                                : valid ? "in force in " + target : "the spec is invalid; the last valid spec stays in force in " + target,
                        generation, now);
            } catch (NotOwnedException e) {
                // Someone else's object of that name: left as it is until a person adopts it.
                status.configHash = pool.getStatus() == null ? null : pool.getStatus().configHash;
                countRefusal(pool, CONFIG_APPLIED, Ownership.NOT_OWNED, e.getMessage());
                Conditions.set(status.conditions, CONFIG_APPLIED, false, Ownership.NOT_OWNED, e.getMessage(), generation, now);
            } catch (WebhookNotReadyException e) {
                // MetalLB is starting: say so, retry with backoff, and carry on with the rest of the report.
                webhookNotReady = Optional.of(e);
                webhookFailures.merge(pool.getMetadata().getName(), 1, Integer::sum);
                status.configHash = pool.getStatus() == null ? null : pool.getStatus().configHash;
                countRefusal(pool, CONFIG_APPLIED, WEBHOOK_NOT_READY, e.getMessage());
                Conditions.set(status.conditions, CONFIG_APPLIED, false, WEBHOOK_NOT_READY, e.getMessage(), generation, now);
            } catch (KubernetesClientException e) {
                // A refused write is reported, not retried in a loop of stack traces; the recheck below tries again.
                ConfigWriteFailure failure = ConfigWriteFailure.of(e, target).orElseThrow(() -> e);
                writeFailed = true;
                status.configHash = pool.getStatus() == null ? null : pool.getStatus().configHash;
                if (changed(pool, CONFIG_APPLIED, failure.message())) {
                    events.warning(pool, failure.reason(), failure.message());
                    metrics.configRefused(failure.reason());
                }
                Conditions.set(status.conditions, CONFIG_APPLIED, false, failure.reason(), failure.message(), generation, now);
            }
        } else {
            // Without a version, or in a namespace it may not touch, the operator writes nothing; whatever was in force stays.
            boolean wasApplied = pool.getStatus() != null && Conditions.isTrue(pool.getStatus().conditions, CONFIG_APPLIED);
            Conditions.set(status.conditions, CONFIG_APPLIED, wasApplied, wasApplied ? "LastValidConfigInForce" : "NeverApplied",
                    wasApplied ? "the spec is invalid; the last valid spec stays in force" : "no valid spec of this pool was ever applied",
                    generation, now);
        }

        // MetalLB's own verdict on its configuration (v0.15.3+), and its speakers' view (v0.15+): CRD mode only.
        Optional<SpeakerView> speakerView = mode == MetalLbVersion.Mode.CRD
                ? metalLbStatus.read(context, MetalLbVersion.parse(target.version()).orElseThrow(), target.namespace()) : Optional.empty();
        speakerView.filter(view -> !view.configErrors().isEmpty()).ifPresent(view -> {
            String message = "MetalLB refused its configuration (ConfigurationState): " + String.join("; ", view.configErrors());
            countRefusal(pool, CONFIG_APPLIED, "MetalLBRejectedConfig", message);
            Conditions.set(status.conditions, CONFIG_APPLIED, false, "MetalLBRejectedConfig", message, generation, now);
        });

        // 4. Report whether MetalLB runs.
        MetalLbInstallation.Availability availability = MetalLbInstallation.availability(controller, speaker);
        if (installNotOwned.isPresent()) {
            Conditions.set(status.conditions, METALLB_AVAILABLE, false, Ownership.NOT_OWNED,
                    "not installed: " + installNotOwned.get().getMessage(), generation, now);
        } else if (webhookNotReady.isPresent()) {
            Conditions.set(status.conditions, METALLB_AVAILABLE, false, WEBHOOK_NOT_READY,
                    availability.describe() + "; " + webhookNotReady.get().getMessage(), generation, now);
        } else {
            Conditions.set(status.conditions, METALLB_AVAILABLE, availability.available(),
                    availability.available() ? "Available" : "NotAvailable", availability.describe(), generation, now);
        }
        status.speakers = availability.speakersReady() + "/" + availability.speakersDesired();

        // 5. Ask the routers what they see, keep managed routers' neighbors in step, compare with what should be.
        RouterSurvey.Report routing = RouterSurvey.survey(pool, cluster(context, services, target),
                router -> routers.forEndpoint(router.address, tlsSecrets.read(client, router)),
                speakerView.map(view -> speakersOf(view, pool, others, valid)).orElse(null));
        if (RouterSurvey.TLS_FAILED.equals(routing.unreachableReason())) {
            Optional.ofNullable(pool.getSpec().peers).orElse(List.of()).stream().filter(peer -> peer.router != null).forEach(peer -> tlsSecrets.forget(peer.router));
        }
        routing.neighborChanges().forEach(change -> events.normal(pool, "RouterNeighborsChanged", change));
        reportRouting(status, routing, generation, now);
        metrics.bgpReport(pool.getMetadata().getName(), status.peerStatuses, routing.sessions() == RouterSurvey.Verdict.NOT_OBSERVED
                || !routing.unreachable().isEmpty() ? null : status.routeCounts);

        boolean routingOk = routing.sessions() != RouterSurvey.Verdict.FALSE && routing.sessions() != RouterSurvey.Verdict.UNKNOWN
                && routing.routesConverged() != RouterSurvey.Verdict.FALSE && routing.routesConverged() != RouterSurvey.Verdict.UNKNOWN;
        boolean ready = valid && Conditions.isTrue(status.conditions, CONFIG_APPLIED) && availability.available() && routingOk;
        Conditions.set(status.conditions, READY, ready, ready ? "Ready" : firstFalse(status),
                ready ? "MetalLB is configured and running" + (routing.sessions() == RouterSurvey.Verdict.TRUE ? "; routes converged" : "")
                        : "see condition " + firstFalse(status),
                generation, now);
        UpdateControl<BgpPeerPool> control = write(pool, status);
        // Routers change without telling the cluster: look again on an interval when there is one to ask. A refused
        // write is tried again too: a namespace created later is not watched; a webhook that did not answer, with backoff.
        Optional<Duration> recheck = Stream.of(writeFailed ? WRITE_RECHECK : null,
                routing.sessions() == RouterSurvey.Verdict.NOT_OBSERVED ? null : routerRefresh,
                webhookNotReady.isPresent() ? WEBHOOK_BACKOFF.delay(webhookFailures.getOrDefault(pool.getMetadata().getName(), 1)) : null)
                .filter(java.util.Objects::nonNull).min(Comparator.naturalOrder());
        return recheck.map(control::rescheduleAfter).orElse(control);
    }

    /** Per peer, what the speakers say they advertise to the BGPPeer that carries it (ServiceBGPStatus names BGPPeers). */
    private static Function<BgpPeer, Map<String, SortedSet<String>>> speakersOf(SpeakerView view, BgpPeerPool pool,
            List<BgpPeerPool> others, boolean valid) {
        List<BgpPeerPool> rendered = new ArrayList<>(others);
        rendered.add(pool);
        // An invalid pool is not rendered: its peers are looked up under the names it would give them itself.
        return peer -> view.toPeer(valid ? CrdRenderer.bgpPeerName(rendered, pool, peer) : CrdRenderer.bgpPeerName(pool, peer));
    }

    /** Each pool's usage, from the spec MetalLB runs for this BgpPeerPool: the valid spec, else the last accepted one. */
    private static void reportUsage(BgpPeerPoolStatus status, Optional<BgpPeerPool> inForce, List<Service> services) {
        List<AddressPool> pools = inForce.map(p -> p.getSpec().addressPools).orElse(null);
        status.addressPoolStatuses = PoolUsage.of(pools == null ? List.of() : pools, services, PoolUsage.ASSIGNMENT_LIMIT);
        status.ips = PoolUsage.summary(status.addressPoolStatuses).orElse(null);
    }

    private static void reportRouting(BgpPeerPoolStatus status, RouterSurvey.Report routing, Long generation, Instant now) {
        status.peerStatuses = routing.peers();
        status.routeStatuses = routing.routes();
        status.routeCounts = routing.counts();
        status.peers = routing.peersSummary();
        status.routes = routing.routesSummary();
        setVerdict(status, PEERS_ESTABLISHED, routing.sessions(), "AllEstablished", "SessionsDown",
                "sessions established: " + routing.peersSummary(), routing, generation, now);
        setVerdict(status, ROUTES_CONVERGED, routing.routesConverged(), "Converged", "RoutesNotConverged",
                "routes converged: " + routing.routesSummary(), routing, generation, now);
    }

    private static void setVerdict(BgpPeerPoolStatus status, String type, RouterSurvey.Verdict verdict, String trueReason,
            String falseReason, String message, RouterSurvey.Report routing, Long generation, Instant now) {
        switch (verdict) {
            case TRUE -> Conditions.set(status.conditions, type, Conditions.TRUE, trueReason, message, generation, now);
            case FALSE -> Conditions.set(status.conditions, type, Conditions.FALSE, falseReason, message, generation, now);
            case UNKNOWN -> Conditions.set(status.conditions, type, Conditions.UNKNOWN, routing.unreachableReason(),
                    routing.unreachable(), generation, now);
            case NOT_OBSERVED -> Conditions.set(status.conditions, type, Conditions.UNKNOWN, "NoRouterAPI",
                    "no peer names its router's API (spec.peers[].router)", generation, now);
        }
    }

    /** The cluster as the informers hold it: every object of the watched kinds, whichever pool they concern; the endpoints this pool's MetalLB reads. */
    private ExpectedRoutes.Cluster cluster(Context<BgpPeerPool> context, List<Service> services, ResolvedTarget target) {
        EndpointWatch.Read endpoints = endpointWatch.read(context, target.version());
        return new ExpectedRoutes.Cluster(services, cached(context, Node.class), cached(context, Pod.class), endpoints.endpoints(),
                endpoints.slices());
    }

    /** Every cached object of the kind, from all its informers (MetalLB's components have two: manifests' and Helm's labels). */
    private <R extends HasMetadata> List<R> cached(Context<BgpPeerPool> context, Class<R> type) {
        return informers.cached(context, type);
    }

    @Override
    public DeleteControl cleanup(BgpPeerPool pool, Context<BgpPeerPool> context) {
        ResolvedTarget target = ResolvedTarget.of(pool.getSpec().metallb);
        Optional<MetalLbVersion> version = MetalLbVersion.parse(target.version());
        if (version.isPresent() && namespaceNotAllowed(target).isEmpty()) {
            try {
                configuration(version.get().mode(), context, target).remove(pool).writes().forEach(write -> {
                    metrics.configWritten(modeLabel(version.get().mode()), "removal");
                    new EventRecorder(context.getClient()).normal(pool, "ConfigRemoved", write.description());
                });
            } catch (NotOwnedException e) {
                // Someone else's object: none of this pool's configuration is in it, and it stays as it is.
            }
        }
        metrics.forgetPool(pool.getMetadata().getName());
        return DeleteControl.defaultDelete();
    }

    /**
     * The operator touches MetalLB's objects in one namespace, its setting {@value #NAMESPACE_SETTING}: the one
     * deploy/operator's Role grants. A pool naming another gets this violation and nothing is read or written there.
     */
    Optional<Violation> namespaceNotAllowed(ResolvedTarget target) {
        return metallbNamespace.equals(target.namespace()) ? Optional.empty()
                : Optional.of(new Violation("spec.metallb.namespace", NAMESPACE_NOT_ALLOWED, "the operator may touch MetalLB's objects "
                        + "in namespace " + metallbNamespace + " only (its setting " + NAMESPACE_SETTING + ", the namespace deploy/operator "
                        + "grants it), not in " + target.namespace() + ": set spec.metallb.namespace to " + metallbNamespace
                        + ", or run the operator with " + NAMESPACE_SETTING + "=" + target.namespace() + " and its Role there"));
    }

    /** The API server's release, read once every {@link InstallationChecks#INTERVAL} (a control plane may be upgraded). */
    private KubernetesCompatibility.KubernetesVersion kubernetesVersion(KubernetesClient client) {
        Instant now = clock.instant();
        CachedVersion cached = kubernetesVersion;
        if (cached == null || !now.isBefore(cached.read().plus(InstallationChecks.INTERVAL))) {
            VersionInfo info = client.getKubernetesVersion();
            var version = KubernetesCompatibility.KubernetesVersion.parse(info.getMajor(), info.getMinor())
                    .orElseThrow(() -> new IllegalStateException("unreadable Kubernetes version " + info.getMajor() + "." + info.getMinor()));
            cached = new CachedVersion(version, now);
            kubernetesVersion = cached;
        }
        return cached.version();
    }

    private record CachedVersion(KubernetesCompatibility.KubernetesVersion version, Instant read) {
    }

    private static BgpPeerPoolStatus startStatus(BgpPeerPool pool) {
        BgpPeerPoolStatus status = new BgpPeerPoolStatus();
        BgpPeerPoolStatus previous = pool.getStatus();
        if (previous != null) {
            status.conditions = new ArrayList<>(previous.conditions);
        }
        status.observedGeneration = pool.getMetadata().getGeneration();
        return status;
    }

    private void reportValidity(BgpPeerPool pool, BgpPeerPoolStatus status, List<Violation> violations,
            EventRecorder events, Instant now) {
        Long generation = pool.getMetadata().getGeneration();
        if (violations.isEmpty()) {
            Conditions.set(status.conditions, VALID, true, "Valid", "the spec passed MetalLB's and the lab's rules", generation, now);
            return;
        }
        String message = Violation.summarize(violations);
        if (changed(pool, VALID, message)) {
            events.warning(pool, violations.get(0).reason(), message);
            metrics.configRefused(violations.get(0).reason());
        }
        Conditions.set(status.conditions, VALID, false, violations.get(0).reason(), message, generation, now);
    }

    /** Counts a configuration not applied, once per distinct problem (the condition does not say it yet). */
    private void countRefusal(BgpPeerPool pool, String type, String reason, String message) {
        if (changed(pool, type, message)) {
            metrics.configRefused(reason);
        }
    }

    private static String modeLabel(MetalLbVersion.Mode mode) {
        return mode == MetalLbVersion.Mode.CRD ? "crd" : "configmap";
    }

    /** Whether the pool's condition does not say {@code message} yet: a Warning Event once per distinct problem, not on every resync. */
    private static boolean changed(BgpPeerPool pool, String type, String message) {
        return pool.getStatus() == null || Conditions.find(pool.getStatus().conditions, type)
                .map(c -> !message.equals(c.getMessage())).orElse(true);
    }

    private static String firstFalse(BgpPeerPoolStatus status) {
        return status.conditions.stream().filter(c -> !READY.equals(c.getType()) && !Conditions.TRUE.equals(c.getStatus()))
                .map(io.fabric8.kubernetes.api.model.Condition::getType).findFirst().orElse("Unknown");
    }

    /**
     * The lab's networks, from the first LabCluster by name (a lab has one); empty when there is none. Read from the
     * informer's whole cache: every LabCluster concerns every pool, including pools created after it.
     */
    private Optional<LabNetworks> labNetworks(Context<BgpPeerPool> context) {
        return cached(context, LabCluster.class).stream()
                .min(Comparator.comparing(c -> c.getMetadata().getName()))
                .map(c -> c.getSpec().networks);
    }

    private static UpdateControl<BgpPeerPool> write(BgpPeerPool pool, BgpPeerPoolStatus status) {
        return StatusPatch.write(pool, status, BgpPeerPool::new);
    }
}
