package io.k8slab.lab.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8slab.lab.testing.Kubectl;
import io.k8slab.lab.testing.TestCluster;

/**
 * deploy/operator's RBAC is least privilege for real: acting as the operator's ServiceAccount, what the operator
 * never needs is forbidden by the API server: escalating or binding roles, writing ConfigMaps in kube-system or
 * kube-public, running Deployments outside MetalLB's namespace, reading Secrets elsewhere. (Every integration test runs the operator as that ServiceAccount,
 * which shows that what it does need is allowed.)
 */
class LeastPrivilegeTest {

    private static final KubernetesClient admin = TestCluster.get().client();
    private static final String METALLB = TestCluster.METALLB_NAMESPACE;
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

    /** No escalate, no bind: the ServiceAccount cannot grant itself (or anyone) more than it holds. */
    @Test
    void escalatingAndBindingAreForbidden() {
        assertForbidden(() -> operator.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName("lab-operator-wants-all")
                .endMetadata().addNewRule().withApiGroups("*").withResources("*").withVerbs("*").endRule().build()).create());
        assertForbidden(() -> operator.rbac().roles().inNamespace(METALLB).resource(new RoleBuilder().withNewMetadata().withName("wants-all")
                .endMetadata().addNewRule().withApiGroups("*").withResources("*").withVerbs("*").endRule().build()).create());
        assertForbidden(() -> operator.rbac().roleBindings().inNamespace(METALLB).resource(new RoleBindingBuilder().withNewMetadata()
                .withName("binds-admin").endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName("cluster-admin").endRoleRef().addNewSubject().withKind("ServiceAccount").withName("lab-operator")
                .withNamespace("lab-operator").endSubject().build()).create());
        assertForbidden(() -> operator.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                .withName("lab-operator-admin").endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole").withName("cluster-admin").endRoleRef().addNewSubject().withKind("ServiceAccount")
                .withName("lab-operator").withNamespace("lab-operator").endSubject().build()).create());
        String asOperator = "--as=" + TestCluster.OPERATOR_SERVICE_ACCOUNT;
        for (String verb : new String[] { "escalate", "bind" }) {
            for (String resource : new String[] { "clusterroles", "roles" }) {
                assertThat(Kubectl.runAllowingFailure("auth", "can-i", verb, resource, "-n", METALLB, asOperator).trim())
                        .as(verb + " " + resource).isEqualTo("no");
            }
        }
        assertThat(Kubectl.runAllowingFailure("auth", "can-i", "patch", "clusterroles", asOperator).trim()).isEqualTo("no");
        assertThat(Kubectl.runAllowingFailure("auth", "can-i", "create", "clusterrolebindings", asOperator).trim()).isEqualTo("no");
    }

    @ParameterizedTest
    @ValueSource(strings = { "kube-system", "kube-public" })
    void configMapsInSystemNamespacesAreForbidden(String namespace) {
        assertForbidden(() -> operator.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
                .withName("lab-operator-was-here").endMetadata().addToData("k", "v").build()).create());
        assertForbidden(() -> operator.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
                .withName("coredns").endMetadata().addToData("Corefile", "").build()).serverSideApply());
        assertForbidden(() -> operator.configMaps().inNamespace(namespace).withName("cluster-info").delete());
    }

    /** Deployments (pods that run as any ServiceAccount of their namespace) only in MetalLB's namespace. */
    @ParameterizedTest
    @ValueSource(strings = { "default", "kube-system", "lab-operator" })
    void deploymentsOutsideTheMetalLbNamespaceAreForbidden(String namespace) {
        assertForbidden(() -> operator.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder().withNewMetadata()
                .withName("controller").endMetadata().withNewSpec().withNewSelector().addToMatchLabels("app", "x").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "x").endMetadata().withNewSpec().addNewContainer()
                .withName("x").withImage("x").endContainer().endSpec().endTemplate().endSpec().build()).create());
        String asOperator = "--as=" + TestCluster.OPERATOR_SERVICE_ACCOUNT;
        assertThat(Kubectl.runAllowingFailure("auth", "can-i", "create", "daemonsets", "-n", namespace, asOperator).trim()).isEqualTo("no");
        assertThat(Kubectl.run("auth", "can-i", "create", "deployments", "-n", METALLB, asOperator).trim()).isEqualTo("yes");
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
