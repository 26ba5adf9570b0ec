package io.k8slab.lab.join;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Where joining nodes find the cluster: the CA hashes they pin. The CA comes from the API, first from
 * {@code kube-public/cluster-info} (what kubeadm init publishes and discovery reads), else from
 * {@code kube-public/kube-root-ca.crt} (what the controller manager publishes in every namespace).
 */
public final class ClusterDiscovery {

    public static final String NAMESPACE = "kube-public";
    public static final String CLUSTER_INFO = "cluster-info";
    public static final String ROOT_CA = "kube-root-ca.crt";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ClusterDiscovery() {
    }

    /** The CA hashes, or empty when neither ConfigMap holds a CA. */
    public static Optional<List<String>> caCertHashes(KubernetesClient client) {
        // kube-root-ca.crt is read only when cluster-info (which kubeadm always publishes) holds no CA.
        return caPem(configMap(client, CLUSTER_INFO), Optional.empty()).or(() -> caPem(Optional.empty(), configMap(client, ROOT_CA)))
                .map(DiscoveryHash::ofPem).filter(hashes -> !hashes.isEmpty());
    }

    private static Optional<ConfigMap> configMap(KubernetesClient client, String name) {
        return Optional.ofNullable(client.configMaps().inNamespace(NAMESPACE).withName(name).get());
    }

    /** The CA PEM from cluster-info's kubeconfig, else from kube-root-ca.crt. Pure. */
    static Optional<String> caPem(Optional<ConfigMap> clusterInfo, Optional<ConfigMap> rootCa) {
        return clusterInfo.flatMap(cm -> data(cm, "kubeconfig")).flatMap(ClusterDiscovery::caFromKubeconfig)
                .or(() -> rootCa.flatMap(cm -> data(cm, "ca.crt")));
    }

    private static Optional<String> data(ConfigMap configMap, String key) {
        Map<String, String> data = configMap.getData();
        return Optional.ofNullable(data == null ? null : data.get(key)).filter(v -> !v.isBlank());
    }

    static Optional<String> caFromKubeconfig(String kubeconfig) {
        try {
            JsonNode clusters = YAML.readTree(kubeconfig).path("clusters");
            for (JsonNode cluster : clusters) {
                String data = cluster.path("cluster").path("certificate-authority-data").asText("");
                if (!data.isEmpty()) {
                    return Optional.of(new String(Base64.getDecoder().decode(data), StandardCharsets.US_ASCII));
                }
            }
            return Optional.empty();
        } catch (java.io.IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
