package io.k8slab.lab.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.k8slab.lab.testing.TestCluster;

/**
 * Where the Lease goes: the choice from the setting and the pod's environment (a table), and, outside a pod,
 * whether the default namespace is there, made, or replaced by {@code default}, against the real API server.
 */
class LeaseNamespaceTest {

    @ParameterizedTest(name = "setting={0} POD_NAMESPACE={1} service account={2} -> {3}")
    @CsvSource(nullValues = "-", value = {
            // setting, POD_NAMESPACE, service account file, namespace, outside a pod, why
            "mine,  lab-operator, lab-operator, mine,         false, set by lab.leader-election.namespace",
            "'  ',  ops,          -,            ops,          false, POD_NAMESPACE",
            "-,     -,            ops,          ops,          false, its service account's",
            "-,     '',           ops,          ops,          false, its service account's",
            "-,     -,            -,            lab-operator, true,  not in a pod",
            "'',    ' ',          '',           lab-operator, true,  not in a pod",
    })
    void choosesFromTheSettingThenThePodThenTheDefault(String setting, String podNamespace, String serviceAccount,
            String namespace, boolean outsidePod, String why) {
        LeaseNamespace chosen = LeaseNamespace.choose(new LeaseNamespace.Inputs(Optional.ofNullable(setting),
                Optional.ofNullable(podNamespace), Optional.ofNullable(serviceAccount)));
        assertThat(chosen.namespace()).isEqualTo(namespace);
        assertThat(chosen.outsidePod()).isEqualTo(outsidePod);
        assertThat(chosen.why()).contains(why);
    }

    @Test
    void outsideAPodAMissingNamespaceIsCreated() {
        KubernetesClient admin = TestCluster.get().client();
        String name = "lease-ns-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        try {
            LeaseNamespace ensured = outside(name).ensure(admin);
            assertThat(ensured.namespace()).isEqualTo(name);
            assertThat(ensured.why()).endsWith("created it");
            assertThat(admin.namespaces().withName(name).get()).isNotNull();

            assertThat(outside(name).ensure(admin)).as("once there, it is used as it is").isEqualTo(outside(name));
        } finally {
            admin.namespaces().withName(name).delete();
        }
    }

    @Test
    void outsideAPodANamespaceThatCannotBeCreatedFallsBackToDefaultSayingWhy() throws IOException {
        String name = "lease-ns-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        // A user with no role at all: it may neither read nor create namespaces.
        Config config = Config.fromKubeconfig(Files.readString(TestCluster.get().kubeconfig()));
        config.setImpersonateUsername("lab-nobody");
        config.setImpersonateGroups("system:authenticated");
        try (KubernetesClient nobody = new KubernetesClientBuilder().withConfig(config).build()) {
            LeaseNamespace ensured = outside(name).ensure(nobody);
            assertThat(ensured.namespace()).isEqualTo("default");
            assertThat(ensured.why()).contains("cannot create namespace " + name + ": 403", "forbidden", "using default");
        }
        assertThat(TestCluster.get().client().namespaces().withName(name).get()).isNull();
    }

    @Test
    void outsideAPodANamespaceBeingDeletedIsNotUsed() {
        KubernetesClient admin = TestCluster.get().client();
        String name = "lease-ns-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        // The test control plane runs no namespace controller: a deleted namespace stays Terminating.
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        admin.namespaces().withName(name).delete();
        LeaseNamespace ensured = outside(name).ensure(admin);
        assertThat(ensured.namespace()).isEqualTo("default");
        assertThat(ensured.why()).contains("namespace " + name + " is being deleted");
    }

    @Test
    void aChoiceInsideAPodIsNotChecked() {
        LeaseNamespace inPod = LeaseNamespace.choose(new LeaseNamespace.Inputs(Optional.empty(), Optional.of("ops"), Optional.empty()));
        // No client needed: nothing is asked of the cluster.
        assertThat(inPod.ensure(null)).isSameAs(inPod);
    }

    private static LeaseNamespace outside(String name) {
        return new LeaseNamespace(name, "not in a pod: test", true);
    }
}
