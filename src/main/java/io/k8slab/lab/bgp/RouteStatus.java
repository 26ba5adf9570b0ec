package io.k8slab.lab.bgp;

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

    @JsonPropertyDescription("Converged, Partial, Missing or Unexpected.")
    public String state;

    @JsonPropertyDescription("Next hops there should be: the nodes whose speakers announce the address.")
    public List<String> expectedNextHops = new ArrayList<>();

    @JsonPropertyDescription("Next hops the router holds.")
    public List<String> observedNextHops = new ArrayList<>();
}
