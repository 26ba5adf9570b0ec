package io.k8slab.lab.metallb;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

import io.k8slab.lab.api.v1alpha1.Patterns;

/**
 * MetalLB v0.7.3's value rules, shared by the validator (which checks the lab's spec) and the tests' parser of a
 * rendered config, so that they cannot drift apart. The defaults are {@link MetalLbModel}'s.
 */
public final class MetalLbRules {

    static final long MAX_UINT32 = Patterns.MAX_ASN;
    /** The OPEN message's hold time is 16 bits of seconds (RFC 4271, 4.2). */
    static final Duration MAX_HOLD_TIME = Duration.ofSeconds(0xFFFF);

    private static final Duration MIN_HOLD_TIME = Duration.ofSeconds(3);
    private static final Pattern LABEL_NAME = Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");
    private static final Pattern LABEL_VALUE = Pattern.compile(Patterns.LABEL_VALUE);
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(Patterns.DNS_SUBDOMAIN);

    private MetalLbRules() {
    }

    /** BGP (RFC 4271) lets a hold time be 0 (no keepalives) or at least 3s. */
    static boolean holdTimeAllowed(Duration holdTime) {
        return holdTime.isZero() || holdTime.compareTo(MIN_HOLD_TIME) >= 0;
    }

    /**
     * Why an IPv4 address cannot be a BGP identifier, or empty when it can: RFC 4271 wants a unicast host address
     * (gobgpd answers 0.0.0.0 with a Bad BGP Identifier notification); MetalLB itself takes any address.
     */
    static Optional<String> routerIDProblem(long address) {
        long first = address >>> 24;
        if (first == 0) {
            return Optional.of(address == 0 ? "unspecified (0.0.0.0)" : "in 0.0.0.0/8, \"this network\"");
        }
        if (first == 127) {
            return Optional.of("a loopback address (127.0.0.0/8)");
        }
        if (first >= 224 && first <= 239) {
            return Optional.of("a multicast address (224.0.0.0/4)");
        }
        if (address == 0xFFFFFFFFL) {
            return Optional.of("the broadcast address");
        }
        if (first >= 240) {
            return Optional.of("reserved (240.0.0.0/4)");
        }
        return Optional.empty();
    }

    /** MetalLB drops the fraction of a second before checking and using a hold time. */
    static Duration wholeSeconds(Duration holdTime) {
        return Duration.ofSeconds(holdTime.getSeconds());
    }

    /** A literal community {@code asn:value}, each part a 16-bit decimal, as its 32-bit value. */
    static Optional<Long> community(String text) {
        String[] parts = text == null ? new String[0] : text.split(":", -1);
        if (parts.length != 2) {
            return Optional.empty();
        }
        Optional<Long> asn = uint16(parts[0]);
        Optional<Long> value = uint16(parts[1]);
        return asn.isPresent() && value.isPresent() ? Optional.of(asn.get() << 16 | value.get()) : Optional.empty();
    }

    static String formatCommunity(long community) {
        return (community >> 16) + ":" + (community & 0xFFFF);
    }

    private static Optional<Long> uint16(String text) {
        // Go's strconv.ParseUint: decimal digits only, leading zeros allowed, no sign.
        String digits = text.replaceFirst("^0+(?=.)", "");
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        long value = Long.parseLong(digits);
        return value <= 0xFFFF ? Optional.of(value) : Optional.empty();
    }

    /** Why a node-selector key is not a Kubernetes qualified name ({@code [prefix/]name}), or empty when it is. */
    static Optional<String> labelKeyProblem(String key) {
        int slash = key.indexOf('/');
        String prefix = slash < 0 ? null : key.substring(0, slash);
        String name = key.substring(slash + 1);
        if (prefix != null && (prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches())) {
            return Optional.of("label key prefix '" + prefix + "' must be a DNS subdomain");
        }
        if (name.length() > 63 || !LABEL_NAME.matcher(name).matches()) {
            return Optional.of("label key '" + key + "' must be at most 63 alphanumerics, '-', '_' or '.', "
                    + "starting and ending alphanumeric, with an optional DNS prefix and '/'");
        }
        return Optional.empty();
    }

    /** Why a node-selector value is not a Kubernetes label value, or empty when it is. */
    static Optional<String> labelValueProblem(String value) {
        return value != null && value.length() <= 63 && LABEL_VALUE.matcher(value).matches() ? Optional.empty()
                : Optional.of("label value '" + value + "' must be at most 63 alphanumerics, '-', '_' or '.', "
                        + "starting and ending alphanumeric");
    }
}
