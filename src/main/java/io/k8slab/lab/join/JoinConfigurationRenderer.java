package io.k8slab.lab.join;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/**
 * The kubeadm JoinConfiguration a node joins with, in the config API its kubeadm reads. The token travels in this
 * file (never on a command line, where {@code ps} shows it), and the kubelet's {@code node-ip} pins it to the lab
 * address instead of the NAT interface. Pure.
 */
public final class JoinConfigurationRenderer {

    /** kubeadm's config API versions, oldest first, with the first kubeadm minor that writes each. */
    public enum ConfigApi {
        /** kubeadm 1.15 to 1.21 (1.22 to 1.26 still read it). */
        V1BETA2("kubeadm.k8s.io/v1beta2", 15),
        /** kubeadm 1.22 to 1.30 (later ones still read it, deprecated). */
        V1BETA3("kubeadm.k8s.io/v1beta3", 22),
        /** kubeadm 1.31 on: extra arguments become a list of {name, value}. */
        V1BETA4("kubeadm.k8s.io/v1beta4", 31);

        private final String apiVersion;
        private final int firstMinor;

        ConfigApi(String apiVersion, int firstMinor) {
            this.apiVersion = apiVersion;
            this.firstMinor = firstMinor;
        }

        public String apiVersion() {
            return apiVersion;
        }

        /** The API a kubeadm reporting {@code kubeadmVersion} (e.g. {@code v1.20.2}) reads; the newest when unknown or unreadable. */
        public static ConfigApi forKubeadm(Optional<String> kubeadmVersion) {
            Optional<Matcher> version = kubeadmVersion.map(v -> VERSION.matcher(v.trim())).filter(Matcher::find);
            if (version.isEmpty() || Integer.parseInt(version.get().group(1)) != 1) {
                return V1BETA4;
            }
            int minor = Integer.parseInt(version.get().group(2));
            ConfigApi chosen = V1BETA2;
            for (ConfigApi api : values()) {
                if (minor >= api.firstMinor) {
                    chosen = api;
                }
            }
            return chosen;
        }
    }

    private static final Pattern VERSION = Pattern.compile("^v?(\\d+)\\.(\\d+)");
    // Every scalar quoted: a token such as 123456.1234567890123456 must stay a string.
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .disable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private JoinConfigurationRenderer() {
    }

    /** The file for a node whose kubeadm reports {@code kubeadmVersion} (e.g. {@code v1.20.2}); empty means unknown. */
    public static String render(JoinRequest request, Optional<String> kubeadmVersion) {
        return render(request, ConfigApi.forKubeadm(kubeadmVersion));
    }

    public static String render(JoinRequest request, ConfigApi api) {
        Map<String, Object> bootstrapToken = new LinkedHashMap<>();
        bootstrapToken.put("apiServerEndpoint", request.apiServerEndpoint());
        bootstrapToken.put("token", request.token().value());
        bootstrapToken.put("caCertHashes", List.copyOf(request.caCertHashes()));
        Map<String, Object> discovery = new LinkedHashMap<>();
        discovery.put("bootstrapToken", bootstrapToken);
        discovery.put("tlsBootstrapToken", request.token().value());

        Map<String, Object> nodeRegistration = new LinkedHashMap<>();
        nodeRegistration.put("name", request.nodeName());
        nodeRegistration.put("kubeletExtraArgs", api == ConfigApi.V1BETA4
                ? List.of(arg("node-ip", request.nodeIp()))
                : Map.of("node-ip", request.nodeIp()));

        Map<String, Object> configuration = new LinkedHashMap<>();
        configuration.put("apiVersion", api.apiVersion());
        configuration.put("kind", "JoinConfiguration");
        configuration.put("discovery", discovery);
        configuration.put("nodeRegistration", nodeRegistration);
        try {
            return YAML.writeValueAsString(configuration);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }

    /** v1beta4's {@code Arg}: {@code name}, then {@code value}. */
    private static Map<String, Object> arg(String name, String value) {
        Map<String, Object> arg = new LinkedHashMap<>();
        arg.put("name", name);
        arg.put("value", value);
        return arg;
    }
}
