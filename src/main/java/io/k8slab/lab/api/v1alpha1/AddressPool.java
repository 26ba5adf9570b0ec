package io.k8slab.lab.api.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A range of LoadBalancer IPs and how they are announced. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AddressPool {

    @Required
    @Size(max = 63)
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription("The pool's name, unique across all BgpPeerPools (Services may ask for it by name).")
    public String name;

    @Default("bgp")
    @JsonPropertyDescription("How MetalLB announces the pool: bgp (the lab's mode) or layer2.")
    public PoolProtocol protocol;

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("IPv4 CIDRs such as 172.17.254.0/24 or ranges such as 172.17.254.10-172.17.254.20.")
    public List<@Pattern(Patterns.IPV4_CIDR_OR_RANGE) String> addresses;

    @Default("true")
    @JsonPropertyDescription("Whether MetalLB hands out addresses from this pool to Services that name no pool.")
    public Boolean autoAssign;

    @Default("false")
    @JsonPropertyDescription("Skip addresses ending in .0 and .255, which some buggy routers drop.")
    public Boolean avoidBuggyIPs;

    @JsonPropertyDescription("How routes are announced; by default one advertisement of each IP as a /32.")
    public List<BgpAdvertisement> advertisements;
}
