package io.k8slab.lab.operator;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * java-operator-sdk's reconcile metrics on /q/metrics ({@code operator_sdk_reconciliations_*},
 * {@code operator_sdk_controllers_execution_*}), as quarkus-operator-sdk 7.4 bound them. quarkus-operator-sdk
 * 7.7.3's own binding hands the packaged (prod) operator {@code Metrics.NOOP}: its provider fills the metrics in
 * when Micrometer binds it, after the operator took them (quarkiverse/quarkus-operator-sdk#1385, fixed in a later
 * release than the Maven copy here serves). A {@link Metrics} bean of the application's replaces that default.
 */
@Singleton
public class ReconcileMetrics {

    @Produces
    @Singleton
    Metrics metrics(MeterRegistry registry) {
        return MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry).build();
    }
}
