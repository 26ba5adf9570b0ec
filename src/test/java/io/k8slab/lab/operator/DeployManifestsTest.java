package io.k8slab.lab.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.k8slab.lab.metallb.MetalLbRelease;
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
    @ValueSource(strings = { "deploy/metallb/v0.7.3/metallb.yaml", "deploy/metallb/v0.16.1/metallb-native.yaml",
            "deploy/metallb/v0.7.3/cluster/cluster-scoped.yaml", "deploy/metallb/v0.16.1/cluster/cluster-scoped.yaml",
            "deploy/examples/labcluster.yaml", "deploy/examples/bgppeerpool.yaml", "deploy/lab/demo/nginx.yaml" })
    void manifestAppliesWithServerSideDryRun(String file) throws IOException {
        // A dry run creates nothing, so the namespaces the files create must exist for the objects in them.
        TestCluster.get().client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata().withName("metallb-system").endMetadata().build()).serverSideApply();
        List<String> args = List.of("apply", "--server-side", "--dry-run=server", "--force-conflicts", "-f", file);
        if (Files.readString(Path.of(file)).contains("x-kubernetes-validations")) {
            // Kubernetes 1.20 predates CEL rules in CRDs: kubectl's validation and server-side apply both refuse the
            // field ("field not declared in schema"); a plain create or update is taken, the rules dropped
            // (MetalLbNativeInstallTest shows what is stored). Kubernetes 1.25 and later take them either way.
            args = List.of("apply", "--dry-run=server", "--validate=false", "-f", file);
        }
        assertThat(Kubectl.run(args.toArray(String[]::new))).isNotBlank();
    }

    @ParameterizedTest
    @EnumSource(MetalLbRelease.class)
    void embeddedMetalLbManifestIsDeploysFile(MetalLbRelease release) throws IOException {
        try (InputStream embedded = getClass().getResourceAsStream(release.resource())) {
            assertThat(embedded).as("the jar embeds deploy/metallb").isNotNull();
            assertThat(embedded.readAllBytes()).isEqualTo(Files.readAllBytes(Path.of("deploy" + release.resource())));
        }
    }

    /**
     * v0.16.1's manifest is upstream's config/manifests/metallb-native.yaml at tag v0.16.1 (commit
     * 791dfcc63ced7a6b3e869131eae75e645150fff0 of github.com/metallb/metallb), byte for byte.
     */
    @Test
    void embeddedV0161IsUpstreamsNativeManifest() throws Exception {
        try (InputStream embedded = getClass().getResourceAsStream(MetalLbRelease.V0_16_1.resource())) {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(embedded.readAllBytes());
            assertThat(java.util.HexFormat.of().formatHex(digest)).isEqualTo("bf25feebb7582ca7df845efd52ffbc2960d6cbf4cfc972f47fded9f788b67f0b");
        }
    }
}
