package io.k8slab.lab.kube;

import java.time.Duration;

/** Exponential backoff between attempts: {@code initial}, doubled after every failure, never above {@code max}. */
public record Backoff(Duration initial, Duration max) {

    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5));

    /** How long to wait after the {@code failures}-th failure in a row (1 for the first). */
    public Duration delay(int failures) {
        Duration delay = initial;
        for (int i = 1; i < failures && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
