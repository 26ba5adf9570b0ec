package io.k8slab.lab.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The test API server's audit log (write verbs only, one JSON event a line): the server's own record of who
 * changed what, used to prove that a resync with nothing changed writes nothing.
 */
public final class AuditLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;

    AuditLog(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /** The write events the server has logged so far whose user agent starts with {@code userAgent}. */
    public List<JsonNode> writesBy(String userAgent) {
        if (!Files.exists(path)) {
            return List.of();
        }
        try {
            return Files.readAllLines(path).stream()
                    .filter(line -> !line.isBlank())
                    .map(AuditLog::parse)
                    .filter(event -> "ResponseComplete".equals(event.path("stage").asText()))
                    .filter(event -> event.path("userAgent").asText().startsWith(userAgent))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
