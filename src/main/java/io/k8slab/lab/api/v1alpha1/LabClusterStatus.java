package io.k8slab.lab.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Nullable;
import io.fabric8.kubernetes.api.model.Condition;

/** Where the lab's cluster stands, as last observed by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LabClusterStatus {

    @JsonPropertyDescription("The metadata.generation this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription("Valid, TokenReady, NodesJoined, NodesLabeled and the summary Ready.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("One word for the whole cluster: Pending, Joining, Ready, Degraded or Invalid.")
    public String phase;

    @JsonPropertyDescription("Ready nodes over nodes in the spec, e.g. 3/3.")
    public String ready;

    @JsonPropertyDescription("How many nodes of the spec are registered and Ready.")
    public Integer readyNodes;

    @JsonPropertyDescription("How many nodes the spec lists.")
    public Integer desiredNodes;

    @JsonPropertyDescription("Every node in the spec, and every removed node until it is gone.")
    public List<NodeStatus> nodes = new ArrayList<>();

    // Nullable: a server-side apply that stops setting an object field leaves it null on Kubernetes 1.20
    // (kubernetes/kubernetes#103011), which a non-nullable schema would reject.
    @Nullable
    @JsonPropertyDescription("The bootstrap token in use while joins are pending (null when none); its value is only in the Secret.")
    public JoinTokenStatus joinToken;
}
