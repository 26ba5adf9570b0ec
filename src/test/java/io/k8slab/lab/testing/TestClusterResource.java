package io.k8slab.lab.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points a Quarkus-started operator at the {@link TestCluster} through fabric8's {@code kubeconfig} property. */
public class TestClusterResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("kubeconfig", TestCluster.get().kubeconfig().toString());
    }

    @Override
    public void stop() {
        // The API server lives as long as the test JVM; TestCluster stops it on exit.
    }
}
