package io.k8slab.lab.testing;

import java.util.List;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;

/**
 * The operator's reconcilers running in the test JVM against the {@link TestCluster}, with plain
 * java-operator-sdk (the same library QOSDK wires in production), acting as the operator's ServiceAccount with
 * deploy/operator's RBAC. Tests can stop and start it to simulate a restart.
 */
public final class LocalOperator implements AutoCloseable {

    private final KubernetesClient client;
    private final Operator operator;

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
                .withStopOnInformerErrorDuringStartup(true));
        reconcilers.forEach(operator::register);
        operator.start();
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
