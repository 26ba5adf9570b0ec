package io.k8slab.lab.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * One real kube-apiserver + etcd for the whole test JVM ({@link ControlPlane}; a few seconds to start), with the
 * CRDs from {@code crds/} and deploy/operator's RBAC installed, an audit log of every request, and bootstrap-token
 * authentication as kubeadm's clusters have. Started on first use, stopped when the JVM exits.
 *
 * <p>The binaries come from {@code $KUBE_API_TEST_DIR} ({@code hack/test-binaries.sh} builds them). If the
 * server cannot start, every test that needs it fails with the reason: nothing is skipped.
 */
public final class TestCluster {

    /** Operators under test identify themselves with this user agent, so the audit log can tell their requests apart. */
    public static final String OPERATOR_USER_AGENT = "lab-operator-under-test";
    /** The ServiceAccount deploy/operator binds to its roles; operators under test act as it. */
    public static final String OPERATOR_SERVICE_ACCOUNT = "system:serviceaccount:lab-operator:lab-operator";
    /** The MetalLB namespace deploy/operator grants the operator (its default {@code lab.metallb.namespace}). */
    public static final String METALLB_NAMESPACE = "metallb-system";
    private static final List<String> OPERATOR_RBAC = List.of("namespace.yaml", "serviceaccount.yaml", "rbac.yaml");

    private static TestCluster instance;

    private final ControlPlane controlPlane;
    private final AuditLog auditLog;
    private final KubernetesClient client;

    private TestCluster() throws IOException {
        Path workDir = Files.createTempDirectory("lab-operator-apiserver");
        Path policy = workDir.resolve("audit-policy.yaml");
        Files.writeString(policy, """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                omitStages: [RequestReceived]
                rules:
                - level: Metadata
                """);
        auditLog = new AuditLog(workDir.resolve("audit.log"));
        controlPlane = ControlPlane.start(workDir, List.of("--enable-bootstrap-token-auth",
                "--audit-policy-file", policy.toString(), "--audit-log-path", auditLog.path().toString()));
        client = newClient("lab-operator-tests");
        installCrds(Path.of("crds"));
        // deploy/operator's Role in MetalLB's namespace needs it; in a lab, deploy/metallb/<version>/cluster makes it.
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(METALLB_NAMESPACE).endMetadata().build())
                .serverSideApply();
        for (String file : OPERATOR_RBAC) {
            try (var in = Files.newInputStream(Path.of("deploy", "operator", file))) {
                client.load(in).items().forEach(item -> client.resource(item).serverSideApply());
            }
        }
    }

    public static synchronized TestCluster get() {
        if (instance == null) {
            try {
                instance = new TestCluster();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** An admin client for test set-up and assertions. */
    public KubernetesClient client() {
        return client;
    }

    /** A fresh admin client with its own user agent (the operator under test gets one of these). */
    public KubernetesClient newClient(String userAgent) {
        return controlPlane.newClient(userAgent);
    }

    /**
     * A client that acts as the operator's ServiceAccount with exactly deploy/operator's RBAC: the least
     * privilege the operator gets in a real cluster.
     */
    public KubernetesClient newOperatorClient() {
        Config config = Config.fromKubeconfig(controlPlane.readKubeconfig());
        config.setUserAgent(OPERATOR_USER_AGENT);
        config.setImpersonateUsername(OPERATOR_SERVICE_ACCOUNT);
        config.setImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:lab-operator", "system:authenticated");
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** The kubeconfig file for kubectl and for the packaged operator. */
    public Path kubeconfig() {
        return controlPlane.kubeconfig();
    }

    /**
     * Kills the API server and starts it again after {@code downtime}, keeping etcd: every client sees its
     * connections and watches drop, as when a control plane's apiserver restarts.
     */
    public void restartApiServer(Duration downtime) {
        controlPlane.restartApiServer(downtime);
    }

    public AuditLog auditLog() {
        return auditLog;
    }

    /** Applies every CRD in {@code dir} and waits until the API server serves it. */
    public void installCrds(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(f -> !f.getFileName().toString().startsWith("kustomization")).sorted().toList();
        }
        for (Path file : files) {
            try (var in = Files.newInputStream(file)) {
                HasMetadata crd = client.load(in).items().get(0);
                client.resource(crd).serverSideApply();
                awaitEstablished(crd);
            }
        }
    }

    /**
     * Creates (or replaces) one CRD written for a newer API server and waits until it is served. Server-side apply
     * would refuse it: this 1.20 server's typed patch rejects schema fields it does not know
     * ({@code x-kubernetes-validations}: "field not declared in schema"), while a create drops them.
     */
    /**
     * deploy/operator's Role and RoleBinding for MetalLB's namespace, in {@code namespace} instead: what an operator
     * run with {@code lab.metallb.namespace} set to it needs there.
     */
    public void grantMetalLbNamespace(String namespace) {
        try (var in = Files.newInputStream(Path.of("deploy", "operator", "rbac.yaml"))) {
            client.load(in).items().stream()
                    .filter(item -> METALLB_NAMESPACE.equals(item.getMetadata().getNamespace()))
                    .forEach(item -> {
                        item.getMetadata().setNamespace(namespace);
                        client.resource(item).serverSideApply();
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void installCrd(HasMetadata crd) {
        client.resource(crd).createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
        awaitEstablished(crd);
    }

    private void awaitEstablished(HasMetadata crd) {
        client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                .waitUntilCondition(TestCluster::established, 30, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
