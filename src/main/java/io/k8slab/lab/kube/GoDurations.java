package io.k8slab.lab.kube;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;

/** Parses Go duration strings ({@code 90s}, {@code 1h30m}, {@code 1.5s}) as kubeadm and MetalLB read them. */
public final class GoDurations {

    private static final java.util.regex.Pattern PART = java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|us|µs|ns|h|m|s)");
    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "h", 3_600_000_000_000L, "m", 60_000_000_000L, "s", 1_000_000_000L,
            "ms", 1_000_000L, "us", 1_000L, "µs", 1_000L, "ns", 1L);

    private GoDurations() {
    }

    /** The duration, or empty when Go's {@code time.ParseDuration} would reject the text (signs are not accepted). */
    public static Optional<Duration> parse(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        if (text.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        Matcher matcher = PART.matcher(text);
        int position = 0;
        double nanos = 0;
        while (matcher.find() && matcher.start() == position) {
            nanos += Double.parseDouble(matcher.group(1)) * NANOS_PER_UNIT.get(matcher.group(2));
            position = matcher.end();
        }
        return position == text.length() && position > 0 ? Optional.of(Duration.ofNanos((long) nanos)) : Optional.empty();
    }
}
