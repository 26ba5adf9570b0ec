package io.k8slab.lab.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8slab.lab.testing.Kubectl;
import io.k8slab.lab.testing.TestCluster;

/**
 * deploy/operator's RBAC is least privilege for real: acting as the operator's ServiceAccount, what the operator
 * never needs is forbidden by the API server. (Every integration test runs the operator as that ServiceAccount,
 * which shows that what it does need is allowed.)
 */
class LeastPrivilegeTest {

    private static final KubernetesClient admin = TestCluster.get().client();
    private static final KubernetesClient operator = TestCluster.get().newOperatorClient();

    @AfterAll
    static void cleanUp() {
        admin.namespaces().withName("rbac-victim").delete();
        operator.close();
    }

    @Test
    void secretsOutsideKubeSystemAreForbidden() {
        admin.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata().withName("not-yours")
                .endMetadata().addToStringData("password", "x").build()).serverSideApply();

        assertForbidden(() -> operator.secrets().inNamespace("default").withName("not-yours").get());
        assertForbidden(() -> operator.secrets().inNamespace("default").list());
        assertForbidden(() -> operator.secrets().inAnyNamespace().list());
    }

    @Test
    void secretsInKubeSystemAreAllowed() {
        assertThat(operator.secrets().inNamespace("kube-system").list()).isNotNull();
    }

    @Test
    void deletingNamespacesIsForbidden() {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("rbac-victim").endMetadata().build())
                .serverSideApply();

        assertForbidden(() -> operator.namespaces().withName("rbac-victim").delete());
        assertThat(admin.namespaces().withName("rbac-victim").get().getMetadata().getDeletionTimestamp()).isNull();
    }

    @Test
    void writingArbitraryClusterRolesIsForbidden() {
        assertForbidden(() -> operator.rbac().clusterRoles().withName("cluster-admin").edit(role -> {
            role.getMetadata().getLabels().put("owned", "by-operator");
            return role;
        }));
    }

    @Test
    void kubectlAuthCanIAgrees() {
        String asOperator = "--as=" + TestCluster.OPERATOR_SERVICE_ACCOUNT;
        assertThat(Kubectl.run("auth", "can-i", "patch", "nodes", asOperator).trim()).isEqualTo("yes");
        assertThat(Kubectl.run("auth", "can-i", "create", "pods", "--subresource=eviction", asOperator).trim()).isEqualTo("yes");
        assertThat(Kubectl.runAllowingFailure("auth", "can-i", "get", "secrets", "-n", "default", asOperator).trim()).isEqualTo("no");
        assertThat(Kubectl.runAllowingFailure("auth", "can-i", "delete", "namespaces", asOperator).trim()).isEqualTo("no");
    }

    @Test
    void leasesOnlyInItsOwnNamespace() {
        String asOperator = "--as=" + TestCluster.OPERATOR_SERVICE_ACCOUNT;
        for (String verb : new String[] { "get", "create", "update", "patch" }) {
            assertThat(Kubectl.run("auth", "can-i", verb, "leases.coordination.k8s.io", "-n", "lab-operator", asOperator).trim()).isEqualTo("yes");
        }
        assertThat(Kubectl.runAllowingFailure("auth", "can-i", "delete", "leases.coordination.k8s.io", "-n", "lab-operator", asOperator).trim())
                .isEqualTo("no");
        for (String namespace : new String[] { "default", "kube-system" }) {
            assertThat(Kubectl.runAllowingFailure("auth", "can-i", "patch", "leases.coordination.k8s.io", "-n", namespace, asOperator).trim())
                    .as("Leases in " + namespace).isEqualTo("no");
        }
    }

    private static void assertForbidden(org.assertj.core.api.ThrowableAssert.ThrowingCallable action) {
        assertThatThrownBy(action).isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
    }
}
