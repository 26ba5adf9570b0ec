package io.k8slab.lab.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One BGP session between a speaker node and a router. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SessionStatus {

    @JsonPropertyDescription("The speaker's node.")
    public String node;

    @JsonPropertyDescription("The node's address, the router's neighbor address.")
    public String address;

    @JsonPropertyDescription("The BGP state: Established, Active, Connect, Idle, ... or Unknown.")
    public String state;

    @JsonPropertyDescription("Since when the session is in its state (RFC 3339).")
    public String since;

    @JsonPropertyDescription("Prefixes the router received from this node.")
    public Long prefixesReceived;

    @JsonPropertyDescription("Services this node's MetalLB speaker says (ServiceBGPStatus) it advertises to this peer; "
            + "only for MetalLB v0.15 and later.")
    public Integer advertisedServices;

    @JsonPropertyDescription("Where the state came from: router (gobgpd's API); speaker when the router could not be asked "
            + "and only MetalLB's ServiceBGPStatus speaks for the node; absent when neither could say.")
    public String source;
}
