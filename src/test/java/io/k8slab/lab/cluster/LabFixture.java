package io.k8slab.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.k8slab.lab.api.v1alpha1.JoinSettings;
import io.k8slab.lab.api.v1alpha1.LabCluster;
import io.k8slab.lab.api.v1alpha1.LabClusterSpec;
import io.k8slab.lab.api.v1alpha1.LabNetworks;
import io.k8slab.lab.api.v1alpha1.LabNode;
import io.k8slab.lab.api.v1alpha1.NodeRemovalPolicy;
import io.k8slab.lab.api.v1alpha1.NodeRole;
import io.k8slab.lab.api.v1alpha1.NodeStatus;
import io.k8slab.lab.api.v1alpha1.SecretReference;
import io.k8slab.lab.api.v1alpha1.SshSettings;
import io.k8slab.lab.join.BootstrapTokenIssuer;
import io.k8slab.lab.join.FakeMachine;
import io.k8slab.lab.join.MachineRuns;
import io.k8slab.lab.join.KubeadmInit;
import io.k8slab.lab.join.SshNodeShells;
import io.k8slab.lab.kube.Backoff;
import io.k8slab.lab.testing.TestCluster;

/**
 * One LabCluster's worth of test lab: workers as {@link FakeMachine}s on {@code 127.0.<block>.21...}, the SSH
 * Secret with the operator's key, the kubeadm-init state of the API server, and a watch that records every
 * bootstrap token the operator issues (to count them, and to search for their values where they must not be).
 */
public final class LabFixture implements AutoCloseable {

    /** Backoff and re-check times short enough for tests, long enough to observe a Failed phase. */
    static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2));
    static final Duration RECHECK = Duration.ofMillis(300);
    /** How long a joined Node may take to register: the test machines register at the end of their join. */
    static final Duration REGISTRATION = Duration.ofSeconds(5);
    /** Every token value issued in this JVM, by Secret name. */
    static final Map<String, String> ISSUED_TOKENS = new ConcurrentHashMap<>();
    private static SharedIndexInformer<Secret> tokenInformer;

    public final String name;
    final int block;
    public final List<FakeMachine> machines;
    final KeyPair operatorKey = FakeMachine.newKeyPair();
    private final KubernetesClient client = TestCluster.get().client();

    private LabFixture(String name, int block, int workers) {
        this.name = name;
        this.block = block;
        KubeadmInit.prepare();
        watchTokens();
        machines = FakeMachine.start(IntStream.rangeClosed(1, workers).mapToObj(i -> address(20 + i)).toList(), operatorKey.getPublic());
        writeSshSecret(knownHosts());
    }

    public static LabFixture start(String name, int block, int workers) {
        return new LabFixture(name, block, workers);
    }

    /** A reconciler like production's, with test timings. */
    static LabClusterReconciler reconciler() {
        return new LabClusterReconciler(Clock.systemUTC(), MachineRuns.defaultExecutor(), new SshNodeShells(Duration.ofSeconds(5)), BACKOFF, RECHECK,
                REGISTRATION);
    }

    String address(int host) {
        return "127.0." + block + "." + host;
    }

    public String nodeName(int index) {
        return name + "-node-" + index;
    }

    String sshSecretName() {
        return name + "-ssh";
    }

    /** Every machine's known_hosts line, as the Vagrant lab's provisioning writes them into its SSH Secret. */
    String knownHosts() {
        StringBuilder lines = new StringBuilder();
        machines.forEach(m -> lines.append(m.knownHostsLine()).append('\n'));
        return lines.toString();
    }

    /** The operator's host key pins for this LabCluster, by {@code <node>_<address>}; empty when it has none. */
    Map<String, String> pins() {
        Secret secret = client.secrets().inNamespace("kube-system").withName(io.k8slab.lab.join.HostKeyPins.secretName(name)).get();
        Map<String, String> pins = new HashMap<>();
        if (secret != null && secret.getData() != null) {
            secret.getData().forEach((k, v) -> pins.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        return pins;
    }

    /** Writes the SSH Secret: the operator's private key, and {@code knownHosts} unless null. */
    void writeSshSecret(String knownHosts) {
        ByteArrayOutputStream key = new ByteArrayOutputStream();
        try {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(operatorKey, "lab-operator", null, key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> data = new HashMap<>();
        data.put("ssh-privatekey", Base64.getEncoder().encodeToString(key.toByteArray()));
        if (knownHosts != null) {
            data.put("known_hosts", Base64.getEncoder().encodeToString(knownHosts.getBytes(StandardCharsets.UTF_8)));
        }
        client.resource(new SecretBuilder().withNewMetadata().withName(sshSecretName()).withNamespace("kube-system").endMetadata()
                .withType("kubernetes.io/ssh-auth").withData(data).build()).forceConflicts().serverSideApply();
    }

    /** The LabCluster: one worker per machine (role node, type worker), SSH as {@link FakeMachine#USER}; then {@code edit}. */
    public LabCluster cluster(Consumer<LabClusterSpec> edit) {
        LabClusterSpec spec = new LabClusterSpec();
        spec.controlPlaneEndpoint = KubeadmInit.endpoint();
        spec.networks = new LabNetworks();
        spec.networks.nodeCIDR = "127.0." + block + ".0/24";
        spec.networks.podCIDR = "10.244.0.0/16";
        spec.networks.serviceCIDR = "10.96.0.0/12";
        spec.nodes = new ArrayList<>();
        for (int i = 0; i < machines.size(); i++) {
            LabNode node = new LabNode();
            node.name = nodeName(i + 1);
            node.address = machines.get(i).address();
            node.role = NodeRole.NODE;
            node.type = "worker";
            spec.nodes.add(node);
        }
        spec.join = new JoinSettings();
        spec.join.tokenTTL = "30m";
        spec.join.parallelism = 3;
        spec.join.ssh = new SshSettings();
        spec.join.ssh.user = FakeMachine.USER;
        spec.join.ssh.port = machines.isEmpty() ? 22 : machines.get(0).port();
        spec.join.ssh.secretRef = new SecretReference();
        spec.join.ssh.secretRef.name = sshSecretName();
        spec.join.ssh.secretRef.namespace = "kube-system";
        spec.nodeRemovalPolicy = NodeRemovalPolicy.Drain;
        edit.accept(spec);
        LabCluster cluster = new LabCluster();
        cluster.getMetadata().setName(name);
        cluster.setSpec(spec);
        return cluster;
    }

    public void apply(LabCluster cluster) {
        client.resource(cluster).forceConflicts().serverSideApply();
    }

    public LabCluster get() {
        return client.resources(LabCluster.class).withName(name).get();
    }

    /** The LabCluster once the operator has written its status; before that an AssertionError, which awaits retry on. */
    public LabCluster reported() {
        LabCluster cluster = get();
        assertThat(cluster).as("LabCluster " + name).isNotNull();
        assertThat(cluster.getStatus()).as("status of LabCluster " + name).isNotNull();
        return cluster;
    }

    NodeStatus node(String nodeName) {
        LabCluster cluster = get();
        return cluster == null || cluster.getStatus() == null ? null
                : cluster.getStatus().nodes.stream().filter(n -> nodeName.equals(n.name)).findFirst().orElse(null);
    }

    /** The bootstrap token Secrets of this LabCluster that exist now. */
    public List<Secret> tokens() {
        return client.secrets().inNamespace(BootstrapTokenIssuer.NAMESPACE).withLabel(BootstrapTokenIssuer.CLUSTER_LABEL, name).list().getItems();
    }

    /** How many tokens were ever issued for this LabCluster. */
    public long tokensIssued() {
        return ISSUED_TOKENS.keySet().stream().filter(secret -> secret.startsWith(name + "/")).count();
    }

    /**
     * Where the lab ended, without names, times or counters: phase, conditions (type, status, reason), each node's
     * phase and the labels the operator owns on its Node, and the token Secrets left. Two runs of the same lab
     * (one with a fault, one without) must end with equal outcomes.
     */
    public List<String> outcome() {
        LabCluster cluster = get();
        List<String> outcome = new ArrayList<>();
        outcome.add("phase=" + cluster.getStatus().phase + " ready=" + cluster.getStatus().ready
                + " observedGeneration=" + cluster.getStatus().observedGeneration.equals(cluster.getMetadata().getGeneration()));
        cluster.getStatus().conditions.forEach(c -> outcome.add("condition " + c.getType() + "=" + c.getStatus() + " " + c.getReason()));
        for (NodeStatus node : cluster.getStatus().nodes) {
            var labels = new java.util.TreeMap<>(client.nodes().withName(node.name).get().getMetadata().getLabels());
            labels.keySet().removeIf(key -> !NodeLabels.isReserved(key));
            outcome.add("node " + node.name.replace(name, "<lab>") + " " + node.phase + " " + labels.toString().replace(name, "<lab>"));
        }
        outcome.add("token secrets left=" + tokens().size());
        return outcome;
    }

    /** Every token value issued in this JVM so far. */
    static Set<String> tokenValues() {
        return Set.copyOf(ISSUED_TOKENS.values());
    }

    /** An informer, not a bare watch: it lists again after a watch expires (an API server restart), where a watch would just end. */
    private static synchronized void watchTokens() {
        if (tokenInformer != null) {
            return;
        }
        tokenInformer = TestCluster.get().client().secrets().inNamespace(BootstrapTokenIssuer.NAMESPACE)
                .withField("type", BootstrapTokenIssuer.SECRET_TYPE)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Secret secret) {
                        if (secret.getData() != null && secret.getData().containsKey("token-secret")) {
                            String cluster = secret.getMetadata().getLabels() == null ? ""
                                    : secret.getMetadata().getLabels().getOrDefault(BootstrapTokenIssuer.CLUSTER_LABEL, "");
                            ISSUED_TOKENS.put(cluster + "/" + secret.getMetadata().getName(),
                                    new String(Base64.getDecoder().decode(secret.getData().get("token-secret")), StandardCharsets.UTF_8));
                        }
                    }

                    @Override
                    public void onUpdate(Secret before, Secret after) {
                    }

                    @Override
                    public void onDelete(Secret secret, boolean finalStateUnknown) {
                    }
                });
    }

    @Override
    public void close() {
        machines.forEach(FakeMachine::close);
        client.resources(LabCluster.class).withName(name).delete();
        client.nodes().withLabel(NodeLabels.CLUSTER, name).delete();
        for (int i = 1; i <= machines.size(); i++) {
            client.nodes().withName(nodeName(i)).delete();
        }
        tokens().forEach(t -> client.resource(t).delete());
        client.secrets().inNamespace("kube-system").withName(sshSecretName()).delete();
        client.secrets().inNamespace("kube-system").withName(io.k8slab.lab.join.HostKeyPins.secretName(name)).delete();
    }
}
