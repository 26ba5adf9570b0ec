package io.k8slab.lab.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class StderrScrubberTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "token abcdef.0123456789abcdef is invalid | token <redacted> is invalid",
            "secret part 0123456789abcdef alone       | secret part <redacted> alone",
            "id abcdef alone is public                | id abcdef alone is public",
            "someone else's zyxwvu.9876543210zyxwvu    | someone else's <redacted>",
    })
    void scrubs(String text, String expected) {
        assertThat(StderrScrubber.scrub(text, List.of("abcdef.0123456789abcdef", "0123456789abcdef"))).isEqualTo(expected);
    }

    @Test
    void dropsColoursAndControlCharacters() {
        assertThat(StderrScrubber.scrub("\u001B[31mred\u001B[0m and a bell\u0007\ttab", List.of())).isEqualTo("red and a bell\ttab");
    }

    @Test
    void keepsTheLastNonBlankLines() {
        String stderr = "one\n\ntwo\r\nthree\n  four  \n\n";
        assertThat(StderrScrubber.lastLines(stderr, 3, List.of())).isEqualTo("two | three | four");
        assertThat(StderrScrubber.lastLines(stderr, 10, List.of())).isEqualTo("one | two | three | four");
        assertThat(StderrScrubber.lastLines("", 3, List.of())).isEmpty();
        assertThat(StderrScrubber.lastLines(null, 3, List.of())).isEmpty();
    }

    @Test
    void cutsVeryLongLines() {
        assertThat(StderrScrubber.lastLines("x".repeat(1000), 1, List.of())).hasSize(301).endsWith("…");
    }
}
