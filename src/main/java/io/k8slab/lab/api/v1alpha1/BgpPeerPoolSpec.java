package io.k8slab.lab.api.v1alpha1;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** MetalLB's BGP configuration as the lab describes it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BgpPeerPoolSpec {

    @Required
    @Min(1)
    @Max(Patterns.MAX_ASN)
    @JsonPropertyDescription("The AS number MetalLB's speakers use (MetalLB's my-asn), e.g. 64522.")
    public Long myASN;

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("The routers the speakers peer with. Names are unique.")
    public List<BgpPeer> peers;

    @JsonPropertyDescription("Named BGP communities (MetalLB's bgp-communities), name -> asn:value.")
    public Map<String, String> communities;

    @Required
    @Size(min = 1)
    @JsonPropertyDescription("The LoadBalancer address pools announced over BGP. Names are unique across all BgpPeerPools.")
    public List<AddressPool> addressPools;

    @JsonPropertyDescription("Which MetalLB the operator configures, and whether it installs it.")
    public MetalLbTarget metallb;
}
