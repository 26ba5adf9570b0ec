package io.k8slab.lab.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * {@code crds/} must be exactly what the Java types generate. Run with {@code -Dcrds.update=true}
 * ({@code make crds}) to rewrite it after changing a spec or status type.
 */
class CrdDriftTest {

    private static final Path COMMITTED = Path.of("crds");

    @Test
    void committedCrdsMatchTheGeneratedOnes() throws IOException {
        Path generated = Path.of("target", "generated-crds");
        CrdGeneration.generateInto(generated.toFile());

        if (Boolean.getBoolean("crds.update")) {
            Files.createDirectories(COMMITTED);
            try (Stream<Path> files = Files.list(generated)) {
                // crds/kustomization.yaml is hand-written and stays.
                for (Path file : files.toList()) {
                    Files.copy(file, COMMITTED.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }

        assertThat(names(COMMITTED)).as("CRD files in crds/ (run `make crds`)").isEqualTo(names(generated));
        for (String name : names(generated)) {
            assertThat(Files.readString(COMMITTED.resolve(name)))
                    .as("crds/%s is stale: run `make crds` and commit the result", name)
                    .isEqualTo(Files.readString(generated.resolve(name)));
        }
    }

    private static java.util.List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return java.util.List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(name -> name.endsWith("-v1.yml")).sorted().toList();
        }
    }
}
