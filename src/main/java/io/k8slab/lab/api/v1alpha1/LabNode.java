package io.k8slab.lab.api.v1alpha1;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One machine of the lab. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LabNode {

    /** The schema's default, also for code that reads a node the API server did not default. */
    public static final String DEFAULT_TYPE = "worker";

    @Required
    @Size(max = 253)
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription("The Node name, also the host name the machine registers with, e.g. k8s-node-01.")
    public String name;

    @Required
    @Pattern(Patterns.IPV4)
    @JsonPropertyDescription("The machine's address on the node network; kubelet's node IP and the SSH target.")
    public String address;

    @Required
    @JsonPropertyDescription("The node's role, set as the label node-role.kubernetes.io/<role>. "
            + "control-plane and master nodes are labelled but never joined.")
    public NodeRole role;

    @Default(DEFAULT_TYPE)
    @Size(max = 63)
    @Pattern(Patterns.LABEL_VALUE)
    @JsonPropertyDescription("The value of the node's 'type' label, e.g. worker or master.")
    public String type;

    @JsonPropertyDescription("Extra labels the operator sets on the Node and removes again when dropped from here; keys and values "
            + "follow Kubernetes' label syntax, and role, type and lab.k8slab.io/cluster are the operator's own.")
    public Map<String, String> labels;
}
