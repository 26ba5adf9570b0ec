package io.k8slab.lab.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {

    @ParameterizedTest(name = "after {0} failure(s): {1}s")
    @CsvSource({ "0, 10", "1, 10", "2, 20", "3, 40", "5, 160", "6, 300", "50, 300" })
    void doublesUpToTheCap(int failures, long seconds) {
        assertThat(Backoff.DEFAULT.delay(failures)).isEqualTo(Duration.ofSeconds(seconds));
    }
}
