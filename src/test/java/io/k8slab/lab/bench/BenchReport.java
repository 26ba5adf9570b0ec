package io.k8slab.lab.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code make bench}'s report: {@code target/bench/report.json}, and {@code report.md} rendered from it. Every
 * benchmark records its figures here as it finishes, so the report is complete whichever benchmarks ran.
 */
public final class BenchReport {

    static final Path DIR = Path.of("target", "bench");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BenchReport() {
    }

    /** Median and 95th percentile of samples (nearest rank). */
    public record Summary(double median, double p95, int samples) {
        public static Summary of(List<Double> values) {
            List<Double> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            return new Summary(rank(sorted, 0.5), rank(sorted, 0.95), sorted.size());
        }

        private static double rank(List<Double> sorted, double quantile) {
            return sorted.get(Math.max(0, (int) Math.ceil(quantile * sorted.size()) - 1));
        }
    }

    /** Records one figure: {@code section} groups figures (e.g. "1. Convergence"), {@code values} are its numbers. */
    public static synchronized void record(String section, String figure, Map<String, Object> values) {
        try {
            Files.createDirectories(DIR);
            Path json = DIR.resolve("report.json");
            ObjectNode root = Files.exists(json) ? (ObjectNode) JSON.readTree(json.toFile()) : JSON.createObjectNode();
            root.put("machine", Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("java.version"));
            root.put("updated", Instant.now().toString());
            ObjectNode sections = root.has("sections") ? (ObjectNode) root.get("sections") : root.putObject("sections");
            ObjectNode target = sections.has(section) ? (ObjectNode) sections.get(section) : sections.putObject(section);
            target.set(figure, JSON.valueToTree(values));
            JSON.writeValue(json.toFile(), root);
            Files.writeString(DIR.resolve("report.md"), markdown(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String markdown(JsonNode root) {
        StringBuilder md = new StringBuilder("# lab-operator benchmark report\n\n")
                .append("Machine: ").append(root.path("machine").asText()).append("; updated ")
                .append(root.path("updated").asText()).append(". Times in milliseconds, sizes in bytes.\n");
        List<String> sections = new ArrayList<>();
        root.path("sections").fieldNames().forEachRemaining(sections::add);
        Collections.sort(sections);
        for (String section : sections) {
            md.append("\n## ").append(section).append("\n\n| figure | values |\n| --- | --- |\n");
            for (Iterator<Map.Entry<String, JsonNode>> figures = root.path("sections").path(section).fields(); figures.hasNext();) {
                Map.Entry<String, JsonNode> figure = figures.next();
                List<String> values = new ArrayList<>();
                figure.getValue().fields().forEachRemaining(v -> values.add(v.getKey() + " = " + v.getValue().asText()));
                md.append("| ").append(figure.getKey()).append(" | ").append(String.join(", ", values)).append(" |\n");
            }
        }
        return md.toString();
    }
}
