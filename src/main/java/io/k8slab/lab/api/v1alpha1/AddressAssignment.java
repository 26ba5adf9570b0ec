package io.k8slab.lab.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One assigned address of a pool and the Services that hold it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AddressAssignment {

    @JsonPropertyDescription("The address, e.g. 172.17.254.1.")
    public String address;

    @JsonPropertyDescription("The Services (namespace/name) whose status.loadBalancer.ingress holds it; more than one when "
            + "MetalLB shares the address (allow-shared-ip).")
    public List<String> services = new ArrayList<>();
}
