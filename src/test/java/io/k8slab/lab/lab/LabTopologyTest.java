package io.k8slab.lab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * deploy/lab/settings.yaml drives the VM list the Vagrantfile defines (deploy/lab/lab.rb, which the Vagrantfile
 * requires), and everything derived from it follows the number of workers.
 */
class LabTopologyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Path SETTINGS = Path.of("deploy", "lab", "settings.yaml");

    private static JsonNode machines(String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of(options));
        args.add("machines");
        return JSON.readTree(LabProcess.render(args.toArray(String[]::new)));
    }

    private static Map<String, String> addresses(JsonNode machines, String network) {
        Map<String, String> byName = new java.util.LinkedHashMap<>();
        machines.forEach(m -> {
            if (m.path("addresses").has(network)) {
                byName.put(m.get("name").asText(), m.get("addresses").get(network).asText());
            }
        });
        return byName;
    }

    @Test
    void defaultSettingsGiveTheReferenceLab() throws IOException {
        JsonNode machines = machines();

        assertThat(machines).extracting(m -> m.get("name").asText()).containsExactly(
                "rt-01", "client-01", "k8s-node-01", "k8s-node-02", "k8s-node-03", "k8s-master-01");
        assertThat(machines).extracting(m -> m.get("role").asText()).containsExactly(
                "router", "client", "node", "node", "node", "control-plane");
        assertThat(addresses(machines, "k8s-cluster")).containsExactly(
                Map.entry("rt-01", "172.17.0.1"), Map.entry("k8s-node-01", "172.17.0.21"),
                Map.entry("k8s-node-02", "172.17.0.22"), Map.entry("k8s-node-03", "172.17.0.23"),
                Map.entry("k8s-master-01", "172.17.0.10"));
        assertThat(addresses(machines, "client")).containsExactly(
                Map.entry("rt-01", "172.17.1.1"), Map.entry("client-01", "172.17.1.10"));
    }

    @Test
    void fiveWorkersGiveTwoMoreVmsNodesAndNeighbors() throws IOException {
        JsonNode machines = machines("--workers", "5");

        assertThat(machines).extracting(m -> m.get("name").asText()).containsExactly(
                "rt-01", "client-01", "k8s-node-01", "k8s-node-02", "k8s-node-03", "k8s-node-04", "k8s-node-05",
                "k8s-master-01");
        assertThat(addresses(machines, "k8s-cluster")).contains(
                Map.entry("k8s-node-04", "172.17.0.24"), Map.entry("k8s-node-05", "172.17.0.25"));

        JsonNode labCluster = YAML.readTree(LabProcess.render("--workers", "5", "labcluster"));
        assertThat(labCluster.at("/spec/nodes")).extracting(n -> n.get("name").asText() + "=" + n.get("address").asText())
                .containsExactly("k8s-master-01=172.17.0.10", "k8s-node-01=172.17.0.21", "k8s-node-02=172.17.0.22",
                        "k8s-node-03=172.17.0.23", "k8s-node-04=172.17.0.24", "k8s-node-05=172.17.0.25");

        JsonNode vars = JSON.readTree(LabProcess.render("--workers", "5", "vars")).get("lab");
        assertThat(vars.at("/router/neighbors")).extracting(n -> n.get("address").asText())
                .containsExactly("172.17.0.21", "172.17.0.22", "172.17.0.23", "172.17.0.24", "172.17.0.25");
        assertThat(vars.at("/kubernetes/nodes")).hasSize(6);
        assertThat(LabProcess.render("--workers", "5", "inventory")).contains("[workers]\nk8s-node-01\nk8s-node-02\n"
                + "k8s-node-03\nk8s-node-04\nk8s-node-05\n");
    }

    @Test
    void threeWorkersGiveTheVagrantGroupsTheVmsAreProvisionedBy() throws IOException {
        JsonNode byName = JSON.valueToTree(machines().findParents("name").stream()
                .collect(Collectors.toMap(m -> m.get("name").asText(), Function.identity())));

        assertThat(byName.at("/rt-01/groups")).extracting(JsonNode::asText).containsExactly("router");
        assertThat(byName.at("/client-01/groups")).extracting(JsonNode::asText).containsExactly("client");
        assertThat(byName.at("/k8s-node-02/groups")).extracting(JsonNode::asText).containsExactly("kubernetes", "workers");
        assertThat(byName.at("/k8s-master-01/groups")).extracting(JsonNode::asText)
                .containsExactly("kubernetes", "control_plane");
    }

    @Test
    void derivedRoutesAndEndpointsComeFromTheSettings() throws IOException {
        JsonNode vars = JSON.readTree(LabProcess.render("vars")).get("lab");

        assertThat(vars.at("/routes/client-01")).extracting(r -> r.get("to").asText() + " via " + r.get("via").asText())
                .containsExactly("172.17.254.0/24 via 172.17.1.1", "172.17.0.0/24 via 172.17.1.1");
        assertThat(vars.at("/routes/k8s-node-01")).extracting(r -> r.get("to").asText() + " via " + r.get("via").asText())
                .containsExactly("172.17.1.0/24 via 172.17.0.1");
        assertThat(vars.at("/routes/rt-01")).isEmpty();
        assertThat(vars.at("/router/api_hosts")).extracting(JsonNode::asText)
                .as("gobgpd's own API: loopback only").containsExactly("127.0.0.1:50051");
        assertThat(vars.at("/router/api_tls/listen").asText()).as("the TLS front").isEqualTo("172.17.0.1:50051");
        assertThat(vars.at("/router/rejected_prefixes")).extracting(JsonNode::asText).contains("10.0.2.0/24");
        assertThat(vars.at("/kubernetes/package_version").asText()).isEqualTo("1.35.*");
        assertThat(vars.at("/kubernetes/repository").asText()).isEqualTo("https://pkgs.k8s.io/core:/stable:/v1.35/deb/");
        assertThat(vars.at("/kubernetes/endpoint").asText()).isEqualTo("172.17.0.10:6443");
    }

    @Test
    void noAddressIsWrittenTwiceInTheSettings() throws IOException {
        String settings = Files.readString(SETTINGS).replaceAll("(?m)#.*$", "");
        Matcher m = Pattern.compile("\\b\\d{1,3}(?:\\.\\d{1,3}){3}(?:/\\d{1,2})?\\b").matcher(settings);
        List<String> addresses = new ArrayList<>();
        while (m.find()) {
            addresses.add(m.group());
        }

        assertThat(addresses).as("addresses in %s", SETTINGS).isNotEmpty().doesNotHaveDuplicates();
    }

    @Test
    void settingsMistakesAreReportedWithTheSettingAtFault(@TempDir Path dir) throws IOException {
        String settings = Files.readString(SETTINGS);

        assertThat(renderError(dir, settings.replace("count: 3", "count: 240")))
                .contains("240 workers from 172.17.0.21 do not fit in k8s-cluster 172.17.0.0/24");
        assertThat(renderError(dir, settings.replace("service_cidr: 10.96.0.0/12", "service_cidr: 10.244.0.0/16")))
                .contains("kubernetes.pod_cidr (10.244.0.0/16) overlaps kubernetes.service_cidr (10.244.0.0/16)");
        assertThat(renderError(dir, settings.replace("version: \"1.35\"", "version: 1.35")))
                .contains("kubernetes.version must be a quoted string");
        assertThat(renderError(dir, settings.replace("first_address: 172.17.0.21", "first_address: 172.17.0.10")))
                .contains("172.17.0.10 is given to both");
    }

    private static String renderError(Path dir, String settings) throws IOException {
        Path file = Files.writeString(dir.resolve("settings.yaml"), settings);
        LabProcess.Result result = LabProcess.runAllowingFailure(Duration.ofSeconds(60),
                "ruby", "deploy/lab/render.rb", "--settings", file.toString(), "machines");
        assertThat(result.exitCode()).as("render.rb with a broken settings file: %s", result.stdout()).isEqualTo(1);
        return result.stderr();
    }
}
