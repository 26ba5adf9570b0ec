package io.k8slab.lab.kube;

import java.util.Comparator;
import java.util.Optional;

/**
 * IPv4 address arithmetic for validation: CIDRs and ranges as closed intervals of unsigned 32-bit numbers.
 * Pure functions; callers have already passed the schema's patterns, but nothing here trusts that.
 */
public final class Networks {

    private Networks() {
    }

    /** An inclusive interval of IPv4 addresses. */
    public record Range(long first, long last) {
        public boolean overlaps(Range other) {
            return first <= other.last && other.first <= last;
        }

        public boolean contains(long address) {
            return first <= address && address <= last;
        }

        /** Whether every address of {@code other} is in this range. */
        public boolean contains(Range other) {
            return first <= other.first && other.last <= last;
        }

        @Override
        public String toString() {
            return format(first) + "-" + format(last);
        }
    }

    /** Parses a dotted quad, or empty when it is not one. */
    public static Optional<Long> parseIPv4(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        long value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                return Optional.empty();
            }
            value = (value << 8) | octet;
        }
        return Optional.of(value);
    }

    /** Parses {@code a.b.c.d/len}; host bits may be set (as Go's net.ParseCIDR allows), the range is the network's. */
    public static Optional<Range> parseCIDR(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        Optional<Long> address = parseIPv4(text.substring(0, slash));
        Optional<Integer> length = prefixLength(text.substring(slash + 1));
        if (address.isEmpty() || length.isEmpty()) {
            return Optional.empty();
        }
        long size = 1L << (32 - length.get());
        long first = address.get() & ~(size - 1) & 0xFFFFFFFFL;
        return Optional.of(new Range(first, first + size - 1));
    }

    /** The prefix length of a CIDR, or empty when the text is not one. */
    public static Optional<Integer> prefixLength(String text) {
        if (text == null || text.isEmpty() || text.length() > 2 || !text.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        int length = Integer.parseInt(text);
        return length <= 32 ? Optional.of(length) : Optional.empty();
    }

    /** Parses a CIDR ({@code a.b.c.d/len}) or a range ({@code a.b.c.d-e.f.g.h}), or empty when it is neither. */
    public static Optional<Range> parseCidrOrRange(String text) {
        if (text == null || !text.contains("-")) {
            return parseCIDR(text);
        }
        String[] bounds = text.split("-", 2);
        Optional<Long> first = parseIPv4(bounds[0]);
        Optional<Long> last = parseIPv4(bounds[1]);
        return first.isPresent() && last.isPresent() ? Optional.of(new Range(first.get(), last.get())) : Optional.empty();
    }

    /** The prefix of {@code length} bits that holds {@code address}, as {@code a.b.c.d/len} with host bits clear. */
    public static String prefix(long address, int length) {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("prefix length " + length + " is not between 0 and 32");
        }
        long mask = length == 0 ? 0 : (0xFFFFFFFFL << (32 - length)) & 0xFFFFFFFFL;
        return format(address & mask) + "/" + length;
    }

    /**
     * Orders IPv4 addresses and prefixes numerically ({@code 172.17.0.9} before {@code 172.17.0.21}, then by prefix
     * length); text that is neither sorts after them, alphabetically.
     */
    public static final Comparator<String> ADDRESS_ORDER = Comparator.comparingLong(Networks::sortKey)
            .thenComparing(Comparator.naturalOrder());

    /** address * 64 + prefix length (32 for a bare address); Long.MAX_VALUE for text that is neither. */
    private static long sortKey(String text) {
        if (text == null) {
            return Long.MAX_VALUE;
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            return parseIPv4(text).map(address -> address << 6 | 32).orElse(Long.MAX_VALUE);
        }
        Optional<Long> address = parseIPv4(text.substring(0, slash));
        Optional<Integer> length = prefixLength(text.substring(slash + 1));
        return address.isPresent() && length.isPresent() ? address.get() << 6 | length.get() : Long.MAX_VALUE;
    }

    public static String format(long address) {
        return ((address >> 24) & 0xFF) + "." + ((address >> 16) & 0xFF) + "." + ((address >> 8) & 0xFF) + "."
                + (address & 0xFF);
    }
}
