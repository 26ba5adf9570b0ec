package io.k8slab.lab.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.k8slab.lab.testing.Kubectl;
import io.k8slab.lab.testing.TestCluster;

/**
 * Every Kubernetes manifest under deploy/ is accepted by a real API server, and the operator installs exactly
 * deploy/'s MetalLB. (deploy/lab/ otherwise holds Ansible and settings, checked by the lab's own tests.)
 */
class DeployManifestsTest {

    @Test
    void operatorBaseAppliesWithServerSideDryRun() {
        TestCluster.get();
        String out = Kubectl.run("apply", "--server-side", "--dry-run=server", "--force-conflicts", "-k", "deploy/operator");
        assertThat(out).contains("deployment.apps/lab-operator", "clusterrole.rbac.authorization.k8s.io/lab-operator",
                "customresourcedefinition.apiextensions.k8s.io/labclusters.lab.k8slab.io");
    }

    @ParameterizedTest
    @ValueSource(strings = { "deploy/metallb/v0.7.3/metallb.yaml", "deploy/examples/labcluster.yaml", "deploy/examples/bgppeerpool.yaml",
            "deploy/lab/demo/nginx.yaml" })
    void manifestAppliesWithServerSideDryRun(String file) {
        // A dry run creates nothing, so the namespaces the files create must exist for the objects in them.
        TestCluster.get().client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata().withName("metallb-system").endMetadata().build()).serverSideApply();
        assertThat(Kubectl.run("apply", "--server-side", "--dry-run=server", "--force-conflicts", "-f", file)).isNotBlank();
    }

    @Test
    void embeddedMetalLbManifestIsDeploysFile() throws IOException {
        try (InputStream embedded = getClass().getResourceAsStream("/metallb/v0.7.3/metallb.yaml")) {
            assertThat(embedded).as("the jar embeds deploy/metallb").isNotNull();
            assertThat(embedded.readAllBytes()).isEqualTo(Files.readAllBytes(Path.of("deploy/metallb/v0.7.3/metallb.yaml")));
        }
    }
}
