package io.k8slab.lab.operator;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Leader election, so two replicas are safe: only the holder of the Lease reconciles. quarkus-operator-sdk
 * activates it in the prod profile (the packaged operator), not in dev or test.
 *
 * <p>java-operator-sdk (5.2.1 and 5.3.2 alike) calls {@code System.exit} whenever leading stops, also when its own shutdown cancels
 * the election: that exit then waits for the shutdown it runs in, and SIGTERM never ends the process (JOSDK #1614,
 * fixed upstream by #3383 in a release this build cannot use). So JOSDK is told not to exit, and these callbacks
 * tell the two cases apart: a Lease lost while running still ends the process; a clean stop hands the Lease back,
 * once no reconcile runs, so a standby leads within a retry period instead of after the whole lease.
 */
@ApplicationScoped
public class LeaderElection {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);
    private static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    /** Resolved only at stop: the Operator is built from the configuration this bean produces. */
    @Inject
    Instance<Operator> operator;

    private volatile boolean shuttingDown;

    @Produces
    @ApplicationScoped
    LeaderElectionConfiguration leaderElection(KubernetesClient client,
            @ConfigProperty(name = "lab.leader-election.lease-name", defaultValue = "lab-operator") String leaseName,
            @ConfigProperty(name = LeaseNamespace.SETTING) Optional<String> namespace,
            @ConfigProperty(name = "lab.leader-election.lease-duration", defaultValue = "15s") Duration leaseDuration,
            @ConfigProperty(name = "lab.leader-election.renew-deadline", defaultValue = "10s") Duration renewDeadline,
            @ConfigProperty(name = "lab.leader-election.retry-period", defaultValue = "2s") Duration retryPeriod) {
        Optional<String> podNamespace = Optional.ofNullable(System.getenv("POD_NAMESPACE"));
        Optional<String> serviceAccountNamespace = readServiceAccountNamespace();
        LeaseNamespace lease = LeaseNamespace.choose(new LeaseNamespace.Inputs(namespace, podNamespace, serviceAccountNamespace)).ensure(client);
        boolean inPod = podNamespace.isPresent() || serviceAccountNamespace.isPresent();
        String identity = identity(inPod);
        Lease where = new Lease(lease.namespace(), leaseName, identity);
        if (LeaseNamespace.FALLBACK.equals(lease.namespace()) && lease.outsidePod()) {
            LOG.warnf("leader election: Lease %s, %s", where, lease.why());
        } else {
            LOG.infof("leader election: Lease %s in %s (%s) as %s; lease %s, renew deadline %s, retry every %s",
                    leaseName, lease.namespace(), lease.why(), identity, seconds(leaseDuration), seconds(renewDeadline), seconds(retryPeriod));
        }
        return new LeaderElectionConfiguration(leaseName, lease.namespace(), leaseDuration, renewDeadline, retryPeriod,
                identity, callbacks(client, where, renewDeadline), false);
    }

    /** Runs before quarkus-operator-sdk's own observer stops the operator: from here on, stopping to lead is expected. */
    void onShutdown(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        shuttingDown = true;
    }

    private record Lease(String namespace, String name, String identity) {
        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    private LeaderCallbacks callbacks(KubernetesClient client, Lease lease, Duration renewDeadline) {
        return new LeaderCallbacks(
                () -> LOG.infof("leading: holds Lease %s as %s", lease, lease.identity()),
                () -> stoppedLeading(client, lease, renewDeadline),
                holder -> {
                    if (holder == null || holder.isEmpty()) {
                        LOG.infof("Lease %s is free", lease);
                    } else if (!holder.equals(lease.identity())) {
                        LOG.infof("Lease %s is held by %s: waiting as a standby (this operator is %s)", lease, holder, lease.identity());
                    }
                });
    }

    private void stoppedLeading(KubernetesClient client, Lease lease, Duration renewDeadline) {
        if (!shuttingDown) {
            LOG.errorf("lost Lease %s (another operator holds it, or it could not be renewed within %s): exiting, so that one operator reconciles",
                    lease, seconds(renewDeadline));
            // Not on this thread: it holds the elector's lock, which the shutdown that System.exit runs needs.
            new Thread(() -> System.exit(1), "lab-lease-lost").start();
            return;
        }
        // The controllers are stopped; reconciles were interrupted. Hand the Lease over only once none runs.
        ExecutorService reconciles = operator.get().getConfigurationService().getExecutorServiceManager().reconcileExecutorService();
        try {
            if (reconciles != null && !reconciles.awaitTermination(renewDeadline.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("a reconcile still runs %s after the stop: leaving Lease %s to expire", seconds(renewDeadline), lease);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        release(client, lease);
    }

    /** As client-go's release: no holder, a one-second lease, so a standby takes it at its next retry. */
    private static void release(KubernetesClient client, Lease lease) {
        try {
            LeaseLock lock = new LeaseLock(lease.namespace(), lease.name(), lease.identity());
            LeaderElectionRecord current = lock.get(client);
            if (current == null || !lease.identity().equals(current.getHolderIdentity())) {
                return; // someone else's already
            }
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            lock.update(client, new LeaderElectionRecord("", Duration.ofSeconds(1), now, now, current.getLeaderTransitions()));
            LOG.infof("released Lease %s: a standby can lead now", lease);
        } catch (KubernetesClientException e) {
            LOG.warnf("could not release Lease %s (%s): a standby leads once it expires", lease, e.getMessage());
        }
    }

    /**
     * In a pod, its name (HOSTNAME), as JOSDK does. Outside one, the host and process: two operators started from
     * one shell share its HOSTNAME, and with one identity both would think they hold the Lease.
     */
    private static String identity(boolean inPod) {
        String hostname = System.getenv("HOSTNAME");
        if (inPod && hostname != null && !hostname.isBlank()) {
            return hostname;
        }
        try {
            hostname = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            hostname = "localhost";
        }
        return hostname + "-" + ProcessHandle.current().pid();
    }

    /** 15s rather than PT15S, as the settings are written. */
    private static String seconds(Duration duration) {
        return duration.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    private static Optional<String> readServiceAccountNamespace() {
        try {
            return Files.exists(SERVICE_ACCOUNT_NAMESPACE) ? Optional.of(Files.readString(SERVICE_ACCOUNT_NAMESPACE).trim()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
