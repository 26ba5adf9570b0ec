package io.k8slab.lab.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How much of one address pool MetalLB has handed out, and to whom. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AddressPoolStatus {

    @JsonPropertyDescription("The pool's name from the spec.")
    public String name;

    @JsonPropertyDescription("Addresses MetalLB may assign from the pool (without .0 and .255 when avoidBuggyIPs is set), "
            + "as a decimal string: an IPv6 pool can hold more than fits in 64 bits.")
    public String total;

    @JsonPropertyDescription("Addresses of the pool that LoadBalancer Services hold (status.loadBalancer.ingress); a shared "
            + "address counts once. Complete, whatever the cap on assignments.")
    public Long assigned;

    @JsonPropertyDescription("total minus assigned, as a decimal string.")
    public String available;

    @JsonPropertyDescription("Which Services hold which addresses, in address order, capped at 50 entries; assigned stays complete.")
    public List<AddressAssignment> assignments = new ArrayList<>();
}
