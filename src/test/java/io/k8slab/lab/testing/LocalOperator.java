package io.k8slab.lab.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;

/**
 * The operator's reconcilers running in the test JVM against the {@link TestCluster}, with plain
 * java-operator-sdk (the same library QOSDK wires in production), acting as the operator's ServiceAccount with
 * deploy/operator's RBAC. Tests can stop and start it to simulate a restart.
 */
public final class LocalOperator implements AutoCloseable {

    private final KubernetesClient client;
    private final Operator operator;
    /** Reconciles finished, by resource name, as JOSDK's metrics hook reports them. */
    private final Map<String, AtomicInteger> reconciles = new ConcurrentHashMap<>();

    public LocalOperator(List<Reconciler<?>> reconcilers) {
        this(TestCluster.get().newOperatorClient(), reconcilers);
    }

    /** The reconcilers as `make run` runs them: with the developer's admin credentials instead of deploy/operator's RBAC. */
    public static LocalOperator withAdminCredentials(List<Reconciler<?>> reconcilers) {
        return new LocalOperator(TestCluster.get().newClient(TestCluster.OPERATOR_USER_AGENT), reconcilers);
    }

    private LocalOperator(KubernetesClient client, List<Reconciler<?>> reconcilers) {
        this.client = client;
        operator = new Operator(overrider -> overrider.withKubernetesClient(client)
                .withCloseClientOnStop(false)
                .withStopOnInformerErrorDuringStartup(true)
                .withMetrics(new Metrics() {
                    @Override
                    public void reconciliationFinished(HasMetadata resource, RetryInfo retryInfo,
                            Map<String, Object> metadata) {
                        reconciles.computeIfAbsent(resource.getMetadata().getName(), name -> new AtomicInteger()).incrementAndGet();
                    }
                }));
        reconcilers.forEach(operator::register);
        operator.start();
    }

    /** How many reconciles of resources of that name have finished (however they ended), for tests that count requests per reconcile. */
    public int reconciles(String name) {
        AtomicInteger count = reconciles.get(name);
        return count == null ? 0 : count.get();
    }

    public KubernetesClient client() {
        return client;
    }

    @Override
    public void close() {
        operator.stop();
        client.close();
    }
}
