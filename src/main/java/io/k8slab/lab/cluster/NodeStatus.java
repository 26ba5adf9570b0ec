package io.k8slab.lab.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One node's progress. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeStatus {

    @JsonPropertyDescription("The node's name.")
    public String name;

    @JsonPropertyDescription("Pending, Joining, Registered, Ready, Failed or Removing.")
    public NodePhase phase;

    @JsonPropertyDescription("What happened last, in words; for a failed join the last lines of kubeadm's error.")
    public String message;

    @JsonPropertyDescription("Join attempts made so far.")
    public Integer attempts;

    @JsonPropertyDescription("When the operator last tried to join or remove the node (RFC 3339).")
    public String lastAttemptTime;

    @JsonPropertyDescription("The kubelet version the Node reports.")
    public String kubeletVersion;

    @JsonPropertyDescription("The SSH host key fingerprint the operator trusts for this node (SHA256:...).")
    public String hostKeyFingerprint;
}
