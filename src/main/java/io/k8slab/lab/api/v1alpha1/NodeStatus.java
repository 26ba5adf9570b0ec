package io.k8slab.lab.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One node's progress. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeStatus {

    @JsonPropertyDescription("The node's name.")
    public String name;

    @JsonPropertyDescription("The node's address from the spec (for a removed node, the last one the spec gave): "
            + "where joins and kubeadm reset go, never the address the Node reports about itself.")
    public String address;

    @JsonPropertyDescription("Pending, Joining, Registered, Ready, Failed or Removing.")
    public NodePhase phase;

    @JsonPropertyDescription("What happened last, in words; for a failed join the last lines of kubeadm's error.")
    public String message;

    @JsonPropertyDescription("Join attempts made so far.")
    public Integer attempts;

    @JsonPropertyDescription("When the operator last tried to join or remove the node (RFC 3339).")
    public String lastAttemptTime;

    @JsonPropertyDescription("For a removed node, when the operator started removing it (RFC 3339); its drain timeout counts from here.")
    public String removingSince;

    @JsonPropertyDescription("The kubelet version the Node reports.")
    public String kubeletVersion;

    @JsonPropertyDescription("The SSH host key fingerprint the machine showed at the operator's last login (SHA256:...); "
            + "informational: what is trusted comes from known_hosts or the pin Secret, never from here.")
    public String hostKeyFingerprint;
}
