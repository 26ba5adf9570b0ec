package io.k8slab.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** What a failed phase says in status: what failed, in one line, without secrets. */
class PhaseFailureTest {

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("a plain exception: its type and first line",
                        new IllegalStateException("executor gone\n\tat somewhere"), "IllegalStateException: executor gone"),
                Arguments.of("no message: the type alone", new NullPointerException(), "NullPointerException"),
                Arguments.of("a token-shaped string is redacted",
                        new IllegalArgumentException("bad token abcdef.0123456789abcdef"), "IllegalArgumentException: bad token <redacted>"),
                Arguments.of("a secret the reconcile held is redacted",
                        new IllegalArgumentException("key s3cr3t-value leaked"), "IllegalArgumentException: key <redacted> leaked"),
                Arguments.of("an API call: the server's reason, never the request",
                        new KubernetesClientException(new StatusBuilder().withCode(500).withMessage("etcdserver: request timed out").build()),
                        "a call to the API server failed: etcdserver: request timed out"),
                Arguments.of("an API call without an answer", new KubernetesClientException("POST https://x/api?token=abcdef.0123456789abcdef"),
                        "a call to the API server got no answer"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void describesWhatFailedWithoutSecrets(String what, RuntimeException failure, String described) {
        assertThat(new PhaseFailure("label the nodes", failure, List.of("s3cr3t-value")).getMessage())
                .isEqualTo("label the nodes failed: " + described);
    }

    @Test
    void aConflictIsFoundThroughTheWrapping() {
        KubernetesClientException conflict = new KubernetesClientException(new StatusBuilder().withCode(409).withMessage("modified").build());
        assertThat(PhaseFailure.isConflict(new PhaseFailure("ensure the join token", conflict, List.of()))).isTrue();
        assertThat(PhaseFailure.isConflict(new IllegalStateException("x"))).isFalse();
    }
}
