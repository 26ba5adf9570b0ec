package io.k8slab.lab.kube.client;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * Kubernetes Events about the operator's custom resources, so {@code kubectl describe} and
 * {@code kubectl get events} tell what the operator did and why. The resources are cluster-scoped, so their
 * Events go to the {@code default} namespace, as the kubelet does for Nodes. Never pass a secret in a message.
 * <p>
 * Like client-go's recorder, an Event repeated within {@link #AGGREGATION_WINDOW} (same object, type, reason and
 * message) raises the first one's count instead of adding another: two reconciles that both saw a status from before
 * the first one's report then leave one Event, not two.
 * <p>
 * Events are sent by one background thread, in the order recorded: a reconcile does not wait for them, so they are
 * off the path from a change to MetalLB's configuration and the status. An Event is a courtesy: one still queued when
 * the process exits is lost.
 */
public final class EventRecorder {

    public static final String COMPONENT = "lab-operator";
    private static final String EVENT_NAMESPACE = "default";
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);

    static final Duration AGGREGATION_WINDOW = Duration.ofMinutes(10);
    private static final int REMEMBERED = 1024;
    /** At most this many Events wait to be sent; more are dropped (and logged) rather than held in memory. */
    static final int QUEUE_LIMIT = 1000;
    private static final ExecutorService SENDER = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(QUEUE_LIMIT), runnable -> {
                Thread thread = new Thread(runnable, "lab-events");
                thread.setDaemon(true);
                return thread;
            });

    private final KubernetesClient client;
    /** The Events recorded lately, by object, type, reason and message; the eldest are forgotten first. */
    private final Map<String, Recorded> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Recorded> eldest) {
            return size() > REMEMBERED;
        }
    };

    private record Recorded(String name, int count, Instant first) {
    }

    public EventRecorder(KubernetesClient client) {
        this.client = client;
    }

    public void normal(HasMetadata about, String reason, String message) {
        record(about, "Normal", reason, message);
    }

    public void warning(HasMetadata about, String reason, String message) {
        record(about, "Warning", reason, message);
    }

    private void record(HasMetadata about, String type, String reason, String message) {
        LOG.infof("%s %s/%s: %s", reason, about.getKind(), about.getMetadata().getName(), message);
        // Built now: the reconcile goes on changing its objects while the Event waits to be sent.
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String key = about.getMetadata().getUid() + "\n" + type + "\n" + reason + "\n" + message;
        String name = (about.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
        Event event = new EventBuilder()
                .withNewMetadata().withName(name).withNamespace(EVENT_NAMESPACE).endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(about.getApiVersion()).withKind(about.getKind())
                .withName(about.getMetadata().getName()).withUid(about.getMetadata().getUid())
                .endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message)
                .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString()).withCount(1)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .build();
        try {
            SENDER.execute(() -> send(key, event, now));
        } catch (RejectedExecutionException e) {
            LOG.warnf("event %s on %s/%s dropped: %d are waiting to be sent", reason, about.getKind(), about.getMetadata().getName(),
                    QUEUE_LIMIT);
        }
    }

    /** Waits until every Event recorded so far is sent (or given up); false if that took longer than {@code timeout}. */
    static boolean flush(Duration timeout) {
        try {
            SENDER.submit(() -> {
            }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** On the sender thread: raises an earlier Event's count, or creates this one. */
    private void send(String key, Event event, Instant now) {
        try {
            Recorded earlier;
            synchronized (recent) {
                earlier = recent.get(key);
            }
            Recorded recorded = earlier != null && earlier.first().plus(AGGREGATION_WINDOW).isAfter(now) && raiseCount(earlier, now)
                    ? new Recorded(earlier.name(), earlier.count() + 1, earlier.first())
                    : new Recorded(create(event), 1, now);
            synchronized (recent) {
                recent.put(key, recorded);
            }
        } catch (RuntimeException e) {
            // An Event is a courtesy: failing to record one (the API refusing, the client closed) fails nothing else.
            LOG.warnf("could not record event %s on %s/%s: %s", event.getReason(), event.getInvolvedObject().getKind(),
                    event.getInvolvedObject().getName(), e.getMessage());
        }
    }

    private String create(Event event) {
        client.v1().events().inNamespace(EVENT_NAMESPACE).resource(event).create();
        return event.getMetadata().getName();
    }

    /** False when the earlier Event is gone (Events expire after an hour by default): a new one is recorded instead. */
    private boolean raiseCount(Recorded earlier, Instant now) {
        try {
            client.v1().events().inNamespace(EVENT_NAMESPACE).withName(earlier.name()).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"count\":" + (earlier.count() + 1) + ",\"lastTimestamp\":\"" + now + "\"}");
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
