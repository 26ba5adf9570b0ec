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
 * The kubeadm JoinConfiguration a node joins with. The token travels in this file (never on a command line, where
 * {@code ps} shows it), and {@code kubeletExtraArgs.node-ip} pins the kubelet to the lab address instead of the NAT
 * interface. Pure.
 */
public final class JoinConfigurationRenderer {

    private static final Pattern VERSION = Pattern.compile("^v?(\\d+)\\.(\\d+)");
    /** kubeadm reads v1beta3 from 1.22 on; v1beta2 is what older ones (the 1.20 of the tests) understand. */
    private static final int FIRST_MINOR_WITH_V1BETA3 = 22;
    // Every scalar quoted: a token such as 123456.1234567890123456 must stay a string.
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .disable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private JoinConfigurationRenderer() {
    }

    /** The file for a node whose kubeadm reports {@code kubeadmVersion} (e.g. {@code v1.20.2}); empty means unknown. */
    public static String render(JoinRequest request, Optional<String> kubeadmVersion) {
        Map<String, Object> bootstrapToken = new LinkedHashMap<>();
        bootstrapToken.put("apiServerEndpoint", request.apiServerEndpoint());
        bootstrapToken.put("token", request.token().value());
        bootstrapToken.put("caCertHashes", List.copyOf(request.caCertHashes()));
        Map<String, Object> discovery = new LinkedHashMap<>();
        discovery.put("bootstrapToken", bootstrapToken);
        discovery.put("tlsBootstrapToken", request.token().value());

        Map<String, Object> nodeRegistration = new LinkedHashMap<>();
        nodeRegistration.put("name", request.nodeName());
        nodeRegistration.put("kubeletExtraArgs", Map.of("node-ip", request.nodeIp()));

        Map<String, Object> configuration = new LinkedHashMap<>();
        configuration.put("apiVersion", apiVersion(kubeadmVersion));
        configuration.put("kind", "JoinConfiguration");
        configuration.put("discovery", discovery);
        configuration.put("nodeRegistration", nodeRegistration);
        try {
            return YAML.writeValueAsString(configuration);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }

    /** kubeadm's config API for a version; the newer one when the version is unknown or unreadable. */
    static String apiVersion(Optional<String> kubeadmVersion) {
        Optional<Matcher> version = kubeadmVersion.map(v -> VERSION.matcher(v.trim())).filter(Matcher::find);
        boolean old = version.map(m -> Integer.parseInt(m.group(1)) == 1 && Integer.parseInt(m.group(2)) < FIRST_MINOR_WITH_V1BETA3)
                .orElse(false);
        return old ? "kubeadm.k8s.io/v1beta2" : "kubeadm.k8s.io/v1beta3";
    }
}
