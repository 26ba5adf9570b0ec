package io.k8slab.lab.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

class ClusterDiscoveryTest {

    private static ConfigMap configMap(String key, String value) {
        return new ConfigMapBuilder().withData(Map.of(key, value)).build();
    }

    private static ConfigMap clusterInfo(String caPem) {
        return configMap("kubeconfig", """
                apiVersion: v1
                kind: Config
                clusters:
                - name: ""
                  cluster:
                    certificate-authority-data: %s
                    server: https://172.17.0.10:6443
                """.formatted(Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void clusterInfoWinsOverTheRootCaConfigMap() {
        assertThat(ClusterDiscovery.caPem(Optional.of(clusterInfo(DiscoveryHashTest.RSA_CA)),
                Optional.of(configMap("ca.crt", DiscoveryHashTest.EC_CA)))).contains(DiscoveryHashTest.RSA_CA);
    }

    @Test
    void theRootCaConfigMapIsTheFallback() {
        assertThat(ClusterDiscovery.caPem(Optional.empty(), Optional.of(configMap("ca.crt", DiscoveryHashTest.EC_CA))))
                .contains(DiscoveryHashTest.EC_CA);
        assertThat(ClusterDiscovery.caPem(Optional.of(configMap("kubeconfig", "clusters: []")),
                Optional.of(configMap("ca.crt", DiscoveryHashTest.EC_CA)))).contains(DiscoveryHashTest.EC_CA);
    }

    @Test
    void nothingPublishedMeansNoCa() {
        assertThat(ClusterDiscovery.caPem(Optional.empty(), Optional.empty())).isEmpty();
        assertThat(ClusterDiscovery.caPem(Optional.of(configMap("kubeconfig", ": not yaml [")), Optional.empty())).isEmpty();
    }
}
