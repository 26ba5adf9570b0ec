package io.k8slab.lab.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The test API server's audit log (every request at Metadata level, one JSON event a line): the server's own
 * record of who did what, used to prove that a resync with nothing changed writes nothing and to count a
 * steady-state operator's requests.
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

    private static final java.util.Set<String> WRITE_VERBS = java.util.Set.of("create", "update", "patch", "delete", "deletecollection");

    /** The write requests the server has logged so far whose user agent starts with {@code userAgent}. */
    public List<JsonNode> writesBy(String userAgent) {
        return requestsBy(userAgent).stream().filter(event -> WRITE_VERBS.contains(event.path("verb").asText())).toList();
    }

    /**
     * Every request logged so far whose user agent starts with {@code userAgent}, once each: a watch when it
     * started (it may never complete), anything else when it completed.
     */
    public List<JsonNode> requestsBy(String userAgent) {
        if (!Files.exists(path)) {
            return List.of();
        }
        try {
            return Files.readAllLines(path).stream()
                    .filter(line -> !line.isBlank())
                    .map(AuditLog::parse)
                    .filter(event -> ("watch".equals(event.path("verb").asText()) ? "ResponseStarted" : "ResponseComplete")
                            .equals(event.path("stage").asText()))
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
