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

import io.k8slab.lab.join.JoinConfigurationRenderer.ConfigApi;

class JoinConfigurationRendererTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final BootstrapToken TOKEN = BootstrapToken.of("123456", "1234567890123456").orElseThrow(); // looks like a number to YAML
    private static final JoinRequest REQUEST = new JoinRequest("172.17.0.10:6443", TOKEN, List.of("sha256:aa", "sha256:bb"),
            "k8s-node-01", "172.17.0.21");

    @ParameterizedTest(name = "kubeadm {0} reads {1}")
    @CsvSource(nullValues = "none", value = {
            "1.15.0,    kubeadm.k8s.io/v1beta2",
            "v1.20.2,   kubeadm.k8s.io/v1beta2",
            "v1.21.14,  kubeadm.k8s.io/v1beta2",
            "v1.22.0,   kubeadm.k8s.io/v1beta3",
            "v1.30.14,  kubeadm.k8s.io/v1beta3",
            "v1.31.0,   kubeadm.k8s.io/v1beta4",
            "v1.35.0,   kubeadm.k8s.io/v1beta4",
            "v1.37.1,   kubeadm.k8s.io/v1beta4",
            "v2.0.0,    kubeadm.k8s.io/v1beta4",
            "garbage,   kubeadm.k8s.io/v1beta4",
            "none,      kubeadm.k8s.io/v1beta4",
    })
    void picksTheConfigApiTheNodesKubeadmReads(String version, String apiVersion) {
        assertThat(ConfigApi.forKubeadm(Optional.ofNullable(version)).apiVersion()).isEqualTo(apiVersion);
    }

    /** Every key of each rendering exists, with the declared shape, in kubeadm's own types of that version. */
    @ParameterizedTest(name = "{0} against {1}")
    @CsvSource({
            "V1BETA2, v1beta2",
            "V1BETA3, v1beta3",
            "V1BETA4, v1beta4",
    })
    void everyRenderedKeyIsAFieldOfKubeadmsTypes(ConfigApi api, String types) throws Exception {
        KubeadmTypes kubeadm = KubeadmTypes.of(types);
        JsonNode config = YAML.readTree(JoinConfigurationRenderer.render(REQUEST, api));

        assertThat(kubeadm.problems(config)).as("checked against " + kubeadm.source).isEmpty();
    }

    /** The field tables catch what the renderer must not do: the v1beta3 map under v1beta4, a misspelt key. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "v1beta3 file read as v1beta4 | V1BETA3 | v1beta4 | kubeletExtraArgs: cannot unmarshal object into []Arg",
            "v1beta4 file read as v1beta3 | V1BETA4 | v1beta3 | kubeletExtraArgs: cannot unmarshal array into map[string]string",
    })
    void theTablesRejectTheOtherVersionsShape(String name, ConfigApi rendered, String types, String problem) throws Exception {
        JsonNode config = YAML.readTree(JoinConfigurationRenderer.render(REQUEST, rendered)
                .replace(rendered.apiVersion(), "kubeadm.k8s.io/" + types));

        assertThat(KubeadmTypes.of(types).problems(config)).anySatisfy(p -> assertThat(p).contains(problem));
    }

    @Test
    void aMisspeltOrMistypedKeyIsAProblem() throws Exception {
        KubeadmTypes v1beta4 = KubeadmTypes.of("v1beta4");
        JsonNode misspelt = YAML.readTree(JoinConfigurationRenderer.render(REQUEST, ConfigApi.V1BETA4).replace("caCertHashes", "caCertHash"));
        JsonNode numberToken = YAML.readTree(JoinConfigurationRenderer.render(REQUEST, ConfigApi.V1BETA4)
                .replace("\"123456.1234567890123456\"", "123456.1234567890123456"));

        assertThat(v1beta4.problems(misspelt)).singleElement().asString().contains("unknown field \"caCertHash\"");
        assertThat(v1beta4.problems(numberToken)).anySatisfy(p -> assertThat(p).contains("token: cannot unmarshal number into string"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "V1BETA2", "V1BETA3", "V1BETA4" })
    void rendersDiscoveryNodeNameAndNodeIp(ConfigApi api) throws Exception {
        JsonNode config = YAML.readTree(JoinConfigurationRenderer.render(REQUEST, api));

        assertThat(config.path("apiVersion").asText()).isEqualTo(api.apiVersion());
        assertThat(config.path("kind").asText()).isEqualTo("JoinConfiguration");
        JsonNode bootstrap = config.path("discovery").path("bootstrapToken");
        assertThat(bootstrap.path("apiServerEndpoint").asText()).isEqualTo("172.17.0.10:6443");
        assertThat(bootstrap.path("token").isTextual()).as("the token stays a string").isTrue();
        assertThat(bootstrap.path("token").asText()).isEqualTo("123456.1234567890123456");
        assertThat(bootstrap.path("caCertHashes")).extracting(JsonNode::asText).containsExactly("sha256:aa", "sha256:bb");
        assertThat(config.path("discovery").path("tlsBootstrapToken").asText()).isEqualTo("123456.1234567890123456");
        assertThat(config.path("nodeRegistration").path("name").asText()).isEqualTo("k8s-node-01");
        JsonNode extraArgs = config.path("nodeRegistration").path("kubeletExtraArgs");
        if (api == ConfigApi.V1BETA4) {
            assertThat(extraArgs.isArray()).as("v1beta4: a list of {name, value}").isTrue();
            assertThat(extraArgs).singleElement().satisfies(arg -> {
                assertThat(arg.path("name").asText()).isEqualTo("node-ip");
                assertThat(arg.path("value").asText()).isEqualTo("172.17.0.21");
            });
        } else {
            assertThat(extraArgs.path("node-ip").asText()).isEqualTo("172.17.0.21");
        }
    }
}
