package io.k8slab.lab.metallb;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.k8slab.lab.api.v1alpha1.MetalLbTarget;
import io.k8slab.lab.kube.Violation;

/**
 * A MetalLB release and the configuration format it reads: a ConfigMap up to v0.12, metallb.io custom resources
 * from v0.13.0 (which dropped the ConfigMap).
 */
public record MetalLbVersion(int major, int minor, int patch) implements Comparable<MetalLbVersion> {

    public enum Mode {
        CONFIG_MAP, CRD
    }

    private static final Pattern SYNTAX = Pattern.compile("v([0-9]{1,9})\\.([0-9]{1,9})\\.([0-9]{1,9})");
    /** The schema's default, and the oldest release supported: the validator mirrors this release's parser. */
    public static final MetalLbVersion DEFAULT = parse(MetalLbTarget.DEFAULT_VERSION).orElseThrow();
    private static final MetalLbVersion FIRST_CRD = new MetalLbVersion(0, 13, 0);
    private static final Comparator<MetalLbVersion> ORDER = Comparator.comparingInt(MetalLbVersion::major)
            .thenComparingInt(MetalLbVersion::minor).thenComparingInt(MetalLbVersion::patch);

    /** The release {@code vX.Y.Z}; {@link #DEFAULT} when not given; empty when the text is not a release. */
    public static Optional<MetalLbVersion> parse(String text) {
        if (text == null) {
            return Optional.of(DEFAULT);
        }
        Matcher matcher = SYNTAX.matcher(text);
        return matcher.matches() ? Optional.of(new MetalLbVersion(Integer.parseInt(matcher.group(1)),
                Integer.parseInt(matcher.group(2)), Integer.parseInt(matcher.group(3)))) : Optional.empty();
    }

    /** Why the operator cannot configure this version (at {@code spec.metallb.version}), or empty when it can. */
    public static Optional<Violation> check(String text) {
        String field = "spec.metallb.version";
        Optional<MetalLbVersion> version = parse(text);
        if (version.isEmpty()) {
            return Optional.of(new Violation(field, "InvalidVersion", "'" + text + "' is not a MetalLB release such as v0.7.3"));
        }
        if (version.get().compareTo(DEFAULT) < 0) {
            return Optional.of(new Violation(field, "UnsupportedVersion",
                    "'" + text + "' is older than " + DEFAULT + ", the oldest MetalLB release the operator configures"));
        }
        return Optional.empty();
    }

    public Mode mode() {
        return compareTo(FIRST_CRD) >= 0 ? Mode.CRD : Mode.CONFIG_MAP;
    }

    @Override
    public int compareTo(MetalLbVersion other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return "v" + major + "." + minor + "." + patch;
    }
}
