package io.k8slab.lab.join;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8slab.lab.testing.TestCluster;

/**
 * What {@code kubeadm init} leaves in a cluster that joins rely on, written into the {@link TestCluster}: the
 * {@code kube-public/cluster-info} ConfigMap (CA and endpoint), the {@code kube-system/kubeadm-config} ConfigMap,
 * and the RBAC that lets bootstrap tokens of group {@code system:bootstrappers:kubeadm:default-node-token} read it.
 * Idempotent.
 */
public final class KubeadmInit {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    public static final String KUBERNETES_VERSION = "v1.20.2";

    private KubeadmInit() {
    }

    public static synchronized void prepare() {
        KubernetesClient client = TestCluster.get().client();
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: ""
                  cluster:
                    certificate-authority-data: %s
                    server: https://%s
                contexts: []
                users: []
                """.formatted(Base64.getEncoder().encodeToString(caPem().getBytes(StandardCharsets.US_ASCII)), endpoint());
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("cluster-info").withNamespace("kube-public").endMetadata()
                .withData(Map.of("kubeconfig", kubeconfig)).build()).serverSideApply();
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("kubeadm-config").withNamespace("kube-system").endMetadata()
                .withData(Map.of("ClusterConfiguration", """
                        apiVersion: kubeadm.k8s.io/v1beta2
                        kind: ClusterConfiguration
                        kubernetesVersion: %s
                        controlPlaneEndpoint: %s
                        networking:
                          podSubnet: 10.244.0.0/16
                          serviceSubnet: 10.96.0.0/12
                        """.formatted(KUBERNETES_VERSION, endpoint())))
                .build()).serverSideApply();
        // kubeadm init phase bootstrap-token: joining nodes (as their token) may read kubeadm-config ...
        client.resource(new RoleBuilder().withNewMetadata().withName("kubeadm:nodes-kubeadm-config").withNamespace("kube-system").endMetadata()
                .addNewRule().withApiGroups("").withResources("configmaps").withResourceNames("kubeadm-config").withVerbs("get").endRule()
                .build()).serverSideApply();
        client.resource(new RoleBindingBuilder().withNewMetadata().withName("kubeadm:nodes-kubeadm-config").withNamespace("kube-system").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName("kubeadm:nodes-kubeadm-config").endRoleRef()
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("Group")
                .withName(BootstrapTokenIssuer.NODE_BOOTSTRAP_GROUP).endSubject()
                .build()).serverSideApply();
        // ... and anyone may read cluster-info, which discovery fetches before it trusts the server.
        client.resource(new RoleBuilder().withNewMetadata().withName("kubeadm:bootstrap-signer-clusterinfo").withNamespace("kube-public").endMetadata()
                .addNewRule().withApiGroups("").withResources("configmaps").withResourceNames("cluster-info").withVerbs("get").endRule()
                .build()).serverSideApply();
        client.resource(new RoleBindingBuilder().withNewMetadata().withName("kubeadm:bootstrap-signer-clusterinfo").withNamespace("kube-public").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName("kubeadm:bootstrap-signer-clusterinfo").endRoleRef()
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("system:anonymous").endSubject()
                .build()).serverSideApply();
    }

    /** The API server's {@code host:port}, as a LabCluster's controlPlaneEndpoint. */
    public static String endpoint() {
        URI server = URI.create(cluster().path("server").asText());
        return server.getHost() + ":" + server.getPort();
    }

    /** The CA the test kubeconfig trusts for the API server (PEM). */
    public static String caPem() {
        JsonNode cluster = cluster();
        if (cluster.hasNonNull("certificate-authority-data")) {
            return new String(Base64.getDecoder().decode(cluster.path("certificate-authority-data").asText()), StandardCharsets.US_ASCII);
        }
        try {
            return Files.readString(java.nio.file.Path.of(cluster.path("certificate-authority").asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static X509Certificate ca() {
        List<X509Certificate> certificates = DiscoveryHash.certificates(caPem());
        return certificates.get(0);
    }

    private static JsonNode cluster() {
        try {
            return YAML.readTree(Files.readString(TestCluster.get().kubeconfig())).path("clusters").get(0).path("cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
