package io.k8slab.lab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The LabCluster and BgpPeerPool the lab applies are rendered from deploy/lab/settings.yaml; with the default
 * settings they are the reference lab of deploy/examples, field for field (compared as YAML trees, so comments,
 * order and quoting do not matter).
 */
class LabResourcesMatchExamplesTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    private static JsonNode example(String file) throws IOException {
        return YAML.readTree(Files.readString(Path.of("deploy", "examples", file)));
    }

    @Test
    void labClusterIsTheExample() throws IOException {
        JsonNode rendered = YAML.readTree(LabProcess.render("labcluster"));

        assertThat(rendered).as("ruby deploy/lab/render.rb labcluster vs deploy/examples/labcluster.yaml")
                .isEqualTo(example("labcluster.yaml"));
    }

    @Test
    void bgpPeerPoolIsTheExample() throws IOException {
        JsonNode rendered = YAML.readTree(LabProcess.render("bgppeerpool"));

        assertThat(rendered).as("ruby deploy/lab/render.rb bgppeerpool vs deploy/examples/bgppeerpool.yaml")
                .isEqualTo(example("bgppeerpool.yaml"));
    }
}
