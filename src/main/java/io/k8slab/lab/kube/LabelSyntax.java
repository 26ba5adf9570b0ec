package io.k8slab.lab.kube;

import java.util.Optional;
import java.util.regex.Pattern;

import io.k8slab.lab.api.v1alpha1.Patterns;

/**
 * Kubernetes' rules for label keys and values (apimachinery's IsQualifiedName and IsValidLabelValue), so that one
 * bad label is refused with its reason instead of failing the whole apply of a Node's labels. Pure.
 */
public final class LabelSyntax {

    public static final int MAX_NAME = 63;
    private static final int MAX_PREFIX = 253;
    private static final Pattern NAME = Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");
    private static final Pattern VALUE = Pattern.compile(Patterns.LABEL_VALUE);
    private static final Pattern PREFIX = Pattern.compile(Patterns.DNS_SUBDOMAIN);

    private LabelSyntax() {
    }

    /** Why {@code key} is not a label key ({@code [prefix/]name}), or empty when it is. */
    public static Optional<String> keyProblem(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.of("a label key must not be empty");
        }
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > MAX_PREFIX || !PREFIX.matcher(prefix).matches()) {
                return Optional.of("the prefix of label key '" + key + "' must be a DNS subdomain (lower case alphanumerics, '-' and '.', at most "
                        + MAX_PREFIX + " characters)");
            }
        }
        if (name.isEmpty() || name.length() > MAX_NAME || !NAME.matcher(name).matches()) {
            return Optional.of("the name part of label key '" + key + "' must be 1 to " + MAX_NAME
                    + " characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric");
        }
        return Optional.empty();
    }

    /** Why {@code value} is not a label value, or empty when it is (the empty value is one). */
    public static Optional<String> valueProblem(String value) {
        if (value == null) {
            return Optional.of("a label value must be a string");
        }
        if (value.length() > MAX_NAME || !VALUE.matcher(value).matches()) {
            return Optional.of("label value '" + value + "' must be at most " + MAX_NAME
                    + " characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric");
        }
        return Optional.empty();
    }
}
