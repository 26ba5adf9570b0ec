package io.k8slab.lab.join;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * kubeadm's config types of one API version, from the field tables in {@code src/test/resources/kubeadm-types}
 * (json names and Go types transcribed from kubeadm's {@code types.go}; each file names its source). Checks a
 * document the way Go's JSON decoding into those types would fail: a key no struct has, an object where a list
 * is declared (v1beta4's {@code []Arg} given a map), a number where a string is declared. Types the tables do
 * not describe (taints, durations) are not looked into.
 */
public final class KubeadmTypes {

    private static final Set<String> KINDS = Set.of("JoinConfiguration", "InitConfiguration", "ClusterConfiguration");

    public final String apiVersion;
    public final String source;
    /** struct name -> json field name -> Go type; an inline field's name is {@code <inline>}. */
    private final Map<String, Map<String, String>> structs;

    private KubeadmTypes(String apiVersion, String source, Map<String, Map<String, String>> structs) {
        this.apiVersion = apiVersion;
        this.source = source;
        this.structs = structs;
    }

    /** {@code version} as in {@code v1beta4}. */
    public static KubeadmTypes of(String version) {
        String file = "/kubeadm-types/" + version + ".tsv";
        try (InputStream in = KubeadmTypes.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalArgumentException("no field table " + file);
            }
            Map<String, Map<String, String>> structs = new HashMap<>();
            StringBuilder source = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("#")) {
                    source.append(line.substring(1).strip()).append(' ');
                } else if (!line.isBlank()) {
                    String[] columns = line.split("\t");
                    String[] field = columns[0].split("\\.", 2);
                    structs.computeIfAbsent(field[0], s -> new LinkedHashMap<>()).put(field[1], columns[1]);
                }
            }
            return new KubeadmTypes("kubeadm.k8s.io/" + version, source.toString().strip(), structs);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fields of {@code struct}, inline ones expanded. */
    public Map<String, String> fields(String struct) {
        Map<String, String> fields = new LinkedHashMap<>();
        structs.getOrDefault(struct, Map.of()).forEach((name, type) -> {
            if (name.equals("<inline>")) {
                fields.putAll(fields(type));
            } else {
                fields.put(name, type);
            }
        });
        return fields;
    }

    /** What kubeadm's decoding would refuse in {@code document}, one line per problem; empty when it decodes. */
    public List<String> problems(JsonNode document) {
        List<String> problems = new ArrayList<>();
        if (!apiVersion.equals(document.path("apiVersion").asText())) {
            problems.add("apiVersion: '" + document.path("apiVersion").asText() + "' is not " + apiVersion);
        }
        String kind = document.path("kind").asText();
        if (!KINDS.contains(kind)) {
            problems.add("kind: '" + kind + "' is not one of " + KINDS);
            return problems;
        }
        document.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("apiVersion") && !e.getKey().equals("kind")) {
                check(kind, e.getKey(), e.getValue(), kind + "." + e.getKey(), problems);
            }
        });
        return problems;
    }

    private void check(String struct, String key, JsonNode value, String path, List<String> problems) {
        String type = fields(struct).get(key);
        if (type == null) {
            problems.add(path + ": unknown field \"" + key + "\" (" + struct + " has " + fields(struct).keySet() + ")");
            return;
        }
        checkValue(type, value, path, problems);
    }

    private void checkValue(String declared, JsonNode value, String path, List<String> problems) {
        String type = declared.startsWith("*") ? declared.substring(1) : declared;
        if (structs.containsKey(type)) {
            if (!value.isObject()) {
                problems.add(path + ": cannot unmarshal " + nodeType(value) + " into " + type);
                return;
            }
            value.fields().forEachRemaining(e -> check(type, e.getKey(), e.getValue(), path + "." + e.getKey(), problems));
        } else if (type.startsWith("[]")) {
            if (!value.isArray()) {
                problems.add(path + ": cannot unmarshal " + nodeType(value) + " into " + type);
                return;
            }
            for (int i = 0; i < value.size(); i++) {
                checkValue(type.substring(2), value.get(i), path + "[" + i + "]", problems);
            }
        } else if (type.startsWith("map[string]")) {
            if (!value.isObject()) {
                problems.add(path + ": cannot unmarshal " + nodeType(value) + " into " + type);
                return;
            }
            value.fields().forEachRemaining(e -> checkValue(type.substring("map[string]".length()), e.getValue(),
                    path + "." + e.getKey(), problems));
        } else if (type.equals("string") && !value.isTextual()
                || type.equals("bool") && !value.isBoolean()
                || type.startsWith("int") && !value.isIntegralNumber()) {
            problems.add(path + ": cannot unmarshal " + nodeType(value) + " into " + type);
        }
    }

    private static String nodeType(JsonNode value) {
        return value.isObject() ? "object" : value.isArray() ? "array" : value.isTextual() ? "string"
                : value.isNumber() ? "number" : value.isBoolean() ? "bool" : value.getNodeType().toString().toLowerCase();
    }
}
