package io.k8slab.lab.bgp;

import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.CONFIG_APPLIED;
import static io.k8slab.lab.api.v1alpha1.BgpPeerPoolConditions.WEBHOOK_NOT_READY;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.kube.Backoff;
import io.k8slab.lab.metallb.MetalLbVersion;
import io.k8slab.lab.metallb.NotOwnedException;
import io.k8slab.lab.metallb.Ownership;
import io.k8slab.lab.metallb.apply.ConfigWriter;
import io.k8slab.lab.metallb.apply.MetalLbCrdsMissingException;
import io.k8slab.lab.metallb.apply.WebhookNotReadyException;
import io.k8slab.lab.metrics.LabMetrics;

/**
 * Writes MetalLB's configuration when it differs: this pool's new spec if valid, else its last accepted one. A
 * refused write is reported, not retried in a loop of stack traces: someone else's object stays as it is, a
 * webhook that does not answer yet is tried again with backoff, an API refusal after {@link #WRITE_RECHECK}.
 * Then MetalLB's own verdict on its configuration (v0.15.3+) and its speakers' view (v0.15+) are read: CRD mode only.
 */
final class ConfigWritePhase {

    static final String METALLB_REJECTED = "MetalLBRejectedConfig";
    /** How soon a refused write of MetalLB's configuration (say, its namespace missing) is tried again. */
    static final Duration WRITE_RECHECK = Duration.ofSeconds(10);
    /** Retries while MetalLB's webhook does not answer yet: its controller is starting. */
    static final Backoff WEBHOOK_BACKOFF = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5));

    private final LabMetrics metrics;
    private final Refusals refusals;
    private final MetalLbStatusWatch metalLbStatus;
    /** Writes refused in a row because MetalLB's webhook did not answer, by pool name. */
    private final Map<String, Integer> webhookFailures = new ConcurrentHashMap<>();

    ConfigWritePhase(LabMetrics metrics, Refusals refusals, MetalLbStatusWatch metalLbStatus) {
        this.metrics = metrics;
        this.refusals = refusals;
        this.metalLbStatus = metalLbStatus;
    }

    void run(BgpPeerPoolScope scope) {
        if (scope.mode == null) {
            // Without a version, or in a namespace it may not touch, the operator writes nothing; whatever was in force stays.
            return;
        }
        write(scope);
        if (scope.mode == MetalLbVersion.Mode.CRD) {
            readMetalLbsVerdict(scope);
        }
    }

    static String modeLabel(MetalLbVersion.Mode mode) {
        return mode == MetalLbVersion.Mode.CRD ? "crd" : "configmap";
    }

    private void write(BgpPeerPoolScope scope) {
        BgpPeerPool pool = scope.pool;
        try {
            ConfigWriter.Outcome outcome = scope.valid() ? scope.configuration().accept(pool) : scope.configuration().keep(pool);
            webhookFailures.remove(scope.poolName());
            outcome.writes().forEach(write -> {
                metrics.configWritten(modeLabel(scope.mode), write.repairedDrift() ? "drift" : "change");
                if (write.repairedDrift()) {
                    scope.events.warning(pool, "DriftRepaired", write.description());
                } else {
                    scope.events.normal(pool, "ConfigApplied", write.description());
                }
            });
            scope.written = outcome;
        } catch (NotOwnedException e) {
            // Someone else's object of that name: left as it is until a person adopts it.
            refusals.count(pool, CONFIG_APPLIED, Ownership.NOT_OWNED, e.getMessage());
            scope.configRefusal = Optional.of(new BgpPeerPoolScope.ConfigRefusal(Ownership.NOT_OWNED, e.getMessage()));
        } catch (WebhookNotReadyException e) {
            // MetalLB is starting: say so, retry with backoff, and carry on with the rest of the report.
            int failures = webhookFailures.merge(scope.poolName(), 1, Integer::sum);
            refusals.count(pool, CONFIG_APPLIED, WEBHOOK_NOT_READY, e.getMessage());
            scope.configRefusal = Optional.of(new BgpPeerPoolScope.ConfigRefusal(WEBHOOK_NOT_READY, e.getMessage()));
            scope.configRecheck = Optional.of(WEBHOOK_BACKOFF.delay(failures));
        } catch (MetalLbCrdsMissingException e) {
            // MetalLB's cluster-wide part is not installed yet; it is not watched for, so look again.
            String message = e.getMessage() + " (checked again every " + WRITE_RECHECK.toSeconds() + "s)";
            refusals.warn(pool, scope.events, CONFIG_APPLIED, MetalLbCrdsMissingException.REASON, message);
            scope.configRefusal = Optional.of(new BgpPeerPoolScope.ConfigRefusal(MetalLbCrdsMissingException.REASON, message));
            scope.configRecheck = Optional.of(WRITE_RECHECK);
        } catch (KubernetesClientException e) {
            ConfigWriteFailure failure = ConfigWriteFailure.of(e, scope.target).orElseThrow(() -> e);
            refusals.warn(pool, scope.events, CONFIG_APPLIED, failure.reason(), failure.message());
            scope.configRefusal = Optional.of(new BgpPeerPoolScope.ConfigRefusal(failure.reason(), failure.message()));
            scope.configRecheck = Optional.of(WRITE_RECHECK);
        }
    }

    private void readMetalLbsVerdict(BgpPeerPoolScope scope) {
        scope.speakerView = metalLbStatus.read(scope.context, MetalLbVersion.parse(scope.target.version()).orElseThrow(), scope.target.namespace());
        scope.speakerView.filter(view -> !view.configErrors().isEmpty()).ifPresent(view -> {
            String message = "MetalLB refused its configuration (ConfigurationState): " + String.join("; ", view.configErrors());
            refusals.count(scope.pool, CONFIG_APPLIED, METALLB_REJECTED, message);
            scope.metalLbRejection = Optional.of(message);
        });
    }
}
