package io.k8slab.lab.kube;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Whether a live object already says everything a desired one says. The API server adds defaults and
 * bookkeeping (status, managedFields, protocol: TCP, ...), so equality would report drift forever; a desired
 * tree contained in the live one is in force, and applying it again would be a needless write.
 */
public final class Subset {

    private Subset() {
    }

    /** True when every field of {@code desired} is in {@code actual} with the same value; arrays match item by item. */
    public static boolean contains(JsonNode actual, JsonNode desired) {
        if (desired == null || desired.isNull()) {
            return true;
        }
        if (actual == null || actual.isNull()) {
            return false;
        }
        if (desired.isObject()) {
            if (!actual.isObject()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = desired.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!contains(actual.get(field.getKey()), field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isArray()) {
            if (!actual.isArray() || actual.size() != desired.size()) {
                return false;
            }
            for (int i = 0; i < desired.size(); i++) {
                if (!contains(actual.get(i), desired.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return desired.isNumber() && actual.isNumber() ? desired.decimalValue().compareTo(actual.decimalValue()) == 0
                : desired.equals(actual);
    }
}
