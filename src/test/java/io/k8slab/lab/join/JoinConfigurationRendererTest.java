package io.k8slab.lab.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

class JoinConfigurationRendererTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @ParameterizedTest(name = "kubeadm {0} reads {1}")
    @CsvSource(nullValues = "none", value = {
            "v1.20.2,   kubeadm.k8s.io/v1beta2",
            "v1.21.14,  kubeadm.k8s.io/v1beta2",
            "1.15.0,    kubeadm.k8s.io/v1beta2",
            "v1.22.0,   kubeadm.k8s.io/v1beta3",
            "v1.30.2,   kubeadm.k8s.io/v1beta3",
            "v2.0.0,    kubeadm.k8s.io/v1beta3",
            "garbage,   kubeadm.k8s.io/v1beta3",
            "none,      kubeadm.k8s.io/v1beta3",
    })
    void picksTheConfigApiTheNodesKubeadmReads(String version, String apiVersion) {
        assertThat(JoinConfigurationRenderer.apiVersion(Optional.ofNullable(version))).isEqualTo(apiVersion);
    }

    @Test
    void rendersDiscoveryNodeNameAndNodeIp() throws Exception {
        BootstrapToken token = BootstrapToken.of("123456", "1234567890123456").orElseThrow(); // looks like a number to YAML
        JoinRequest request = new JoinRequest("172.17.0.10:6443", token, List.of("sha256:aa", "sha256:bb"), "k8s-node-01", "172.17.0.21");

        JsonNode config = YAML.readTree(JoinConfigurationRenderer.render(request, Optional.of("v1.20.2")));

        assertThat(config.path("apiVersion").asText()).isEqualTo("kubeadm.k8s.io/v1beta2");
        assertThat(config.path("kind").asText()).isEqualTo("JoinConfiguration");
        JsonNode bootstrap = config.path("discovery").path("bootstrapToken");
        assertThat(bootstrap.path("apiServerEndpoint").asText()).isEqualTo("172.17.0.10:6443");
        assertThat(bootstrap.path("token").isTextual()).as("the token stays a string").isTrue();
        assertThat(bootstrap.path("token").asText()).isEqualTo("123456.1234567890123456");
        assertThat(bootstrap.path("caCertHashes")).extracting(JsonNode::asText).containsExactly("sha256:aa", "sha256:bb");
        assertThat(config.path("discovery").path("tlsBootstrapToken").asText()).isEqualTo("123456.1234567890123456");
        assertThat(config.path("nodeRegistration").path("name").asText()).isEqualTo("k8s-node-01");
        assertThat(config.path("nodeRegistration").path("kubeletExtraArgs").path("node-ip").asText()).isEqualTo("172.17.0.21");
    }
}
