package io.k8slab.lab.api.v1alpha1;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A BGP router the speakers peer with, such as the lab's rt-01. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BgpPeer {

    /** The schema's defaults, also for code that reads a spec the API server did not default. */
    public static final String DEFAULT_PORT = "179";
    public static final String DEFAULT_HOLD_TIME = "90s";

    @Required
    @Size(max = 63)
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription("A name for the peer, e.g. rt-01.")
    public String name;

    @Required
    @Pattern(Patterns.IPV4)
    @JsonPropertyDescription("The router's address as the speakers reach it (MetalLB's peer-address).")
    public String address;

    @Required
    @Min(1)
    @Max(Patterns.MAX_ASN)
    @JsonPropertyDescription("The router's AS number (MetalLB's peer-asn).")
    public Long asn;

    @Default(DEFAULT_PORT)
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("The router's BGP port (MetalLB's peer-port).")
    public Integer port;

    @Default(DEFAULT_HOLD_TIME)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("The proposed BGP hold time, a Go duration: 0s, or 3s to 65535s (16 bits on the wire).")
    public String holdTime;

    @Pattern(Patterns.IPV4)
    @JsonPropertyDescription("The BGP router ID the speakers use towards this peer, a unicast IPv4 address (not 0.0.0.0/8, "
            + "loopback, multicast or 240.0.0.0/4); by default each node's own.")
    public String routerID;

    @JsonPropertyDescription("Only nodes with all these labels peer with this router; by default every speaker does.")
    public Map<String, String> nodeSelector;

    @JsonPropertyDescription("How the operator reaches the router's management API to report sessions and routes.")
    public RouterAPI router;
}
