package io.k8slab.lab.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8slab.lab.metallb.ResolvedTarget;

/** How a refused write of MetalLB's configuration becomes a ConfigApplied reason and message, by the API server's answer. */
class ConfigWriteFailureTest {

    private static final ResolvedTarget TARGET = new ResolvedTarget("v0.7.3", "metallb-system", "config", false);

    @ParameterizedTest(name = "{0} {1} {2} -> {4}")
    @CsvSource(nullValues = "-", delimiter = '|', value = {
            // code | API reason  | details kind | API message                                               | reason            | message contains
            "404    | NotFound    | namespaces   | namespaces \"metallb-system\" not found                  | NamespaceNotFound | namespace metallb-system (spec.metallb.namespace) does not exist",
            "404    | NotFound    | configmaps   | configmaps \"config\" not found                          | NotFound          | failed: 404 configmaps \"config\" not found",
            "403    | Forbidden   | configmaps   | configmaps is forbidden: User \"x\" cannot create        | Forbidden         | failed: 403 configmaps is forbidden",
            "422    | Invalid     | configmaps   | ConfigMap \"config\" is invalid: data: Too long          | Invalid           | failed: 422 ConfigMap \"config\" is invalid",
            "500    | -           | -            | etcdserver: request timed out                             | APIError          | failed: 500 etcdserver: request timed out",
            "503    | ServiceUnavailable | -     | -                                                         | ServiceUnavailable | failed: 503 ServiceUnavailable",
    })
    void aRefusalIsAConditionWithTheApisReason(int code, String apiReason, String kind, String apiMessage, String reason, String message) {
        ConfigWriteFailure failure = ConfigWriteFailure.of(exception(code, apiReason, kind, apiMessage), TARGET).orElseThrow();
        assertThat(failure.reason()).isEqualTo(reason);
        assertThat(failure.message()).contains(message);
    }

    @ParameterizedTest(name = "{0} stays an exception")
    @CsvSource({ "409, Conflict", "0, -" })
    void aConflictOrNoAnswerIsNotAFailureToReport(int code, String apiReason) {
        assertThat(ConfigWriteFailure.of(exception(code, apiReason, "configmaps", "the object has been modified"), TARGET)).isEqualTo(Optional.empty());
        assertThat(ConfigWriteFailure.of(new KubernetesClientException("connection refused"), TARGET)).isEmpty();
    }

    private static KubernetesClientException exception(int code, String reason, String kind, String message) {
        StatusBuilder status = new StatusBuilder().withCode(code).withReason(reason).withMessage(message);
        if (kind != null) {
            status.withNewDetails().withKind(kind).withName("metallb-system").endDetails();
        }
        return new KubernetesClientException(status.build());
    }
}
