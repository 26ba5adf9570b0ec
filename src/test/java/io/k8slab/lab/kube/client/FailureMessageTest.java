package io.k8slab.lab.kube.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

class FailureMessageTest {

    static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("a plain exception", new IllegalStateException("no release v9"), "IllegalStateException: no release v9"),
                Arguments.of("without a message", new NullPointerException(), "NullPointerException"),
                Arguments.of("the API server's words", new KubernetesClientException(new StatusBuilder().withCode(404)
                        .withMessage("namespaces \"x\" not found").build()), "HTTP 404: namespaces \"x\" not found"),
                Arguments.of("a PEM block", new IllegalArgumentException("bad key " + KEY + " in Secret"),
                        "IllegalArgumentException: bad key <redacted> in Secret"),
                Arguments.of("a PEM block cut short", new IllegalArgumentException("bad key -----BEGIN PRIVATE KEY-----\nMIIE"),
                        "IllegalArgumentException: bad key <redacted>"),
                Arguments.of("a Secret's base64 data", new IllegalStateException("data={tls.key=" + "QUJD".repeat(20) + "}"),
                        "IllegalStateException: data={tls.key=<redacted>}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void describes(String name, Throwable failure, String message) {
        assertThat(FailureMessage.of(failure)).isEqualTo(message);
    }

    @Test
    void capsLongMessages() {
        assertThat(FailureMessage.of(new IllegalStateException("x ".repeat(1000)))).hasSize(FailureMessage.MAX_LENGTH + 1).endsWith("…");
    }

    @Test
    void aConflictIsFoundInTheCauses() {
        KubernetesClientException conflict = new KubernetesClientException(new StatusBuilder().withCode(409).build());
        assertThat(FailureMessage.isConflict(new RuntimeException("phase failed", conflict))).isTrue();
        assertThat(FailureMessage.isConflict(new KubernetesClientException(new StatusBuilder().withCode(404).build()))).isFalse();
    }
}
