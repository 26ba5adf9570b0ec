package io.k8slab.lab.api.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** What the lab's cluster should look like. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LabClusterSpec {

    /**
     * The schema's defaults, also for code that reads a spec the API server did not default (it defaults only
     * inside objects that are present).
     */
    public static final String DEFAULT_NODE_REMOVAL_POLICY = "Drain";
    public static final String DEFAULT_NODE_DRAIN_TIMEOUT = "10m";

    @Required
    @Pattern(Patterns.HOST_PORT)
    @JsonPropertyDescription("The API server endpoint workers join, host:port (the reference lab: 172.17.0.10:6443).")
    public String controlPlaneEndpoint;

    @Pattern(Patterns.KUBERNETES_VERSION)
    @JsonPropertyDescription("The Kubernetes version the lab runs, e.g. v1.35; informational, kubeadm on each VM decides.")
    public String kubernetesVersion;

    @Required
    @JsonPropertyDescription("The lab's address ranges.")
    public LabNetworks networks;

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("Every machine of the cluster, control plane included. Names are unique.")
    public List<LabNode> nodes;

    @JsonPropertyDescription("How workers join: token lifetime, SSH access, parallelism.")
    public JoinSettings join;

    @Default(DEFAULT_NODE_REMOVAL_POLICY)
    @JsonPropertyDescription("What happens to a node removed from spec.nodes: Drain (cordon, drain, delete the Node), "
            + "DrainAndReset (also run kubeadm reset on it over SSH) or Orphan (leave it alone).")
    public NodeRemovalPolicy nodeRemovalPolicy;

    @Default(DEFAULT_NODE_DRAIN_TIMEOUT)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("How long a removed node's drain may take (like Cluster API's nodeDrainTimeout), a Go "
            + "duration such as 10m: pods a PodDisruptionBudget or a dead kubelet keep there past it are left behind, "
            + "the Node is deleted anyway and a DrainTimedOut Event says which.")
    public String nodeDrainTimeout;
}
