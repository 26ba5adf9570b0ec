package io.k8slab.lab.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.kubernetes.api.model.Condition;

/** What MetalLB was told and what the routers see, as last observed by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BgpPeerPoolStatus {

    @JsonPropertyDescription("The metadata.generation this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription("Valid, ConfigApplied, MetalLBAvailable, PeersEstablished, RoutesConverged and the summary Ready.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Established over expected BGP sessions, e.g. 3/3.")
    public String peers;

    @JsonPropertyDescription("Converged over expected routes, e.g. 1/1.")
    public String routes;

    @JsonPropertyDescription("Addresses LoadBalancer Services hold over addresses MetalLB may assign, over every pool, e.g. 1/254.")
    public String ips;

    @JsonPropertyDescription("MetalLB speakers ready over desired, e.g. 3/3.")
    public String speakers;

    @JsonPropertyDescription("SHA-256 of the MetalLB configuration last written for this pool.")
    public String configHash;

    @JsonPropertyDescription("Every peer and its sessions.")
    public List<PeerStatus> peerStatuses = new ArrayList<>();

    @JsonPropertyDescription("Per-route detail, capped at routeLimit entries (problems first); counts stay complete.")
    public List<RouteStatus> routeStatuses = new ArrayList<>();

    @JsonPropertyDescription("Complete route counts, whatever the cap on routeStatuses.")
    public RouteCounts routeCounts;

    @JsonPropertyDescription("Each address pool in force (the last accepted spec's while the spec is invalid): total, assigned "
            + "and available addresses, and which Services hold which.")
    public List<AddressPoolStatus> addressPoolStatuses = new ArrayList<>();
}
