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

    /** The schema's defaults, also for code that reads a spec the API server did not default. */
    public static final String DEFAULT_PROTOCOL = "bgp";
    public static final String DEFAULT_AUTO_ASSIGN = "true";
    public static final String DEFAULT_AVOID_BUGGY_IPS = "false";

    @Required
    @Size(max = 63)
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription("The pool's name, unique across all BgpPeerPools (Services may ask for it by name).")
    public String name;

    @Default(DEFAULT_PROTOCOL)
    @JsonPropertyDescription("How MetalLB announces the pool: bgp (the lab's mode) or layer2.")
    public PoolProtocol protocol;

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("IPv4 CIDRs such as 172.17.254.0/24 or ranges such as 172.17.254.10-172.17.254.20.")
    public List<@Pattern(Patterns.IPV4_CIDR_OR_RANGE) String> addresses;

    @Default(DEFAULT_AUTO_ASSIGN)
    @JsonPropertyDescription("Whether MetalLB hands out addresses from this pool to Services that name no pool.")
    public Boolean autoAssign;

    @Default(DEFAULT_AVOID_BUGGY_IPS)
    @JsonPropertyDescription("Skip addresses ending in .0 and .255, which some buggy routers drop.")
    public Boolean avoidBuggyIPs;

    @JsonPropertyDescription("How routes are announced; by default one advertisement of each IP as a /32.")
    public List<BgpAdvertisement> advertisements;
}
