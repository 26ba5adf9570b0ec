package io.k8slab.lab.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Every field under spec and status carries a description, so {@code kubectl explain} helps at every level. */
class SchemaDescriptionTest {

    static Stream<Path> crdFiles() throws IOException {
        return Files.list(Path.of("crds")).filter(f -> f.toString().endsWith("-v1.yml")).sorted();
    }

    @ParameterizedTest
    @MethodSource("crdFiles")
    void everyFieldIsDescribed(Path file) throws IOException {
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(file), CustomResourceDefinition.class);
        JSONSchemaProps root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
        List<String> undescribed = new ArrayList<>();
        collectUndescribed(root.getProperties().get("spec"), "spec", undescribed);
        collectUndescribed(root.getProperties().get("status"), "status", undescribed);
        assertThat(undescribed).as("fields without a description in %s", file).isEmpty();
    }

    private static void collectUndescribed(JSONSchemaProps schema, String path, List<String> undescribed) {
        if (schema.getProperties() != null) {
            schema.getProperties().forEach((name, property) -> {
                String child = path + "." + name;
                // Conditions are metav1.Condition, documented upstream.
                if (!path.endsWith(".conditions[]") && (property.getDescription() == null || property.getDescription().isBlank())) {
                    undescribed.add(child);
                }
                collectUndescribed(property, child, undescribed);
            });
        }
        if (schema.getItems() != null && schema.getItems().getSchema() != null) {
            collectUndescribed(schema.getItems().getSchema(), path + "[]", undescribed);
        }
    }
}
