package io.k8slab.lab.bgp;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.k8slab.lab.api.v1alpha1.AddressPool;
import io.k8slab.lab.api.v1alpha1.AddressPoolStatus;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.kube.Violation;
import io.k8slab.lab.kube.client.EventRecorder;
import io.k8slab.lab.metallb.ResolvedTarget;
import io.k8slab.lab.metallb.MetalLbVersion;
import io.k8slab.lab.metallb.apply.ConfigWriter;
import io.k8slab.lab.metallb.apply.MetalLbInstallation;
import io.k8slab.lab.routes.RouterSurvey;
import io.k8slab.lab.routes.SpeakerView;

/**
 * One reconcile of one BgpPeerPool: what it works on, and what each phase found, for the phases after it and for
 * {@link BgpPeerPoolStatusAggregator}, which turns the findings into the status. Fields are filled in phase order
 * (see {@link BgpPeerPoolReconciler#reconcile}); a field a phase did not reach keeps its initial value.
 */
final class BgpPeerPoolScope {

    /** Every cached object of a type, from all the informers of that type. */
    interface Cache {
        <R extends HasMetadata> List<R> list(Class<R> type);
    }

    /** Why MetalLB's configuration was not written: the ConfigApplied reason and message. */
    record ConfigRefusal(String reason, String message) {
    }

    final BgpPeerPool pool;
    final Context<BgpPeerPool> context;
    final KubernetesClient client;
    final EventRecorder events;
    final Instant now;
    final ResolvedTarget target;
    final Cache cache;
    private final Function<MetalLbVersion.Mode, ConfigWriter> configurations;
    private ConfigWriter configuration;

    // Target: the spec's MetalLB version and namespace.
    /** How MetalLB is configured; null when the version or namespace rules out reading or writing anything for the pool. */
    MetalLbVersion.Mode mode;
    /** The pool's problems, in the order the phases found them: empty while it is valid. */
    final List<Violation> violations = new ArrayList<>();
    /** Whether the operator may install the target's MetalLB (an embedded release, a compatible Kubernetes). */
    boolean installable = true;
    // MetalLB's components as the informers hold them.
    Optional<Deployment> controller = Optional.empty();
    Optional<DaemonSet> speaker = Optional.empty();

    // Install.
    /** Why MetalLB was not installed: someone else's components of those names. */
    Optional<String> installNotOwned = Optional.empty();

    // Validation: the pools MetalLB runs beside this one, and this one's last accepted spec.
    List<BgpPeerPool> others = List.of();
    Optional<BgpPeerPool> lastAccepted = Optional.empty();
    List<Service> services = List.of();

    // Configuration.
    /** What was written; null when nothing could be (no mode, or a refusal). */
    ConfigWriter.Outcome written;
    Optional<ConfigRefusal> configRefusal = Optional.empty();
    /** When to try a refused write again; empty when nothing waits. */
    Optional<Duration> configRecheck = Optional.empty();
    /** MetalLB's speakers' view (CRD mode of v0.15 and later). */
    Optional<SpeakerView> speakerView = Optional.empty();
    /** MetalLB's own verdict on its configuration when it refused it (ConfigurationState). */
    Optional<String> metalLbRejection = Optional.empty();

    MetalLbInstallation.Availability availability;
    RouterSurvey.Report routing;
    List<AddressPoolStatus> usage = List.of();

    BgpPeerPoolScope(BgpPeerPool pool, Context<BgpPeerPool> context, Instant now, Cache cache,
            Function<MetalLbVersion.Mode, ConfigWriter> configurations) {
        this.pool = pool;
        this.context = context;
        this.client = context.getClient();
        this.events = new EventRecorder(client);
        this.now = now;
        this.target = ResolvedTarget.of(pool.getSpec().metallb);
        this.cache = cache;
        this.configurations = configurations;
    }

    boolean valid() {
        return violations.isEmpty();
    }

    /** The address pools MetalLB runs for this BgpPeerPool: the valid spec's, else the last accepted spec's. */
    List<AddressPool> addressPoolsInForce() {
        List<AddressPool> pools = (valid() ? Optional.of(pool) : lastAccepted).map(p -> p.getSpec().addressPools).orElse(null);
        return pools == null ? List.of() : pools;
    }

    /** MetalLB's configuration in the target's mode, made at the first need; only once a mode is known. */
    ConfigWriter configuration() {
        if (configuration == null) {
            configuration = configurations.apply(mode);
        }
        return configuration;
    }

    String poolName() {
        return pool.getMetadata().getName();
    }
}
