package io.k8slab.lab.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One announced prefix as the router should and does see it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouteStatus {

    @JsonPropertyDescription("The prefix, e.g. 172.17.254.1/32.")
    public String prefix;

    @JsonPropertyDescription("The Service that owns the address, namespace/name; empty for Unexpected routes.")
    public String service;

    @JsonPropertyDescription("Converged, Partial, Missing or Unexpected (rt-01's RIB against the cluster); NotReceived when "
            + "speakers say they advertise the route and the router lacks it from them; Unknown when the router could not be asked.")
    public String state;

    @JsonPropertyDescription("Whose account decides the state: router (its API) or speaker (MetalLB's ServiceBGPStatus, for "
            + "NotReceived, or Unknown with speakers advertising); absent when neither could say.")
    public String source;

    @JsonPropertyDescription("Next hops there should be: the nodes whose speakers announce the address.")
    public List<String> expectedNextHops = new ArrayList<>();

    @JsonPropertyDescription("Next hops the router holds.")
    public List<String> observedNextHops = new ArrayList<>();

    @JsonPropertyDescription("The nodes whose MetalLB speakers say (ServiceBGPStatus) they advertise the route to this peer; "
            + "only for MetalLB v0.15 and later.")
    public List<String> advertisedBy;

    @JsonPropertyDescription("Of advertisedBy, the nodes the router holds no path from: the speakers' and the router's views disagree.")
    public List<String> notReceivedFrom;
}
