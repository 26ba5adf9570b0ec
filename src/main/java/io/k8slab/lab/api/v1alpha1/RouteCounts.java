package io.k8slab.lab.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Route totals by state. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouteCounts {

    @JsonPropertyDescription("Routes the pools' Services should have.")
    public Integer expected;

    @JsonPropertyDescription("Routes with every expected next hop.")
    public Integer converged;

    @JsonPropertyDescription("Routes with some, not all, expected next hops.")
    public Integer partial;

    @JsonPropertyDescription("Routes the router does not hold.")
    public Integer missing;

    @JsonPropertyDescription("Routes speakers say they advertise and the router lacks from them (not counted as partial or missing).")
    public Integer notReceived;

    @JsonPropertyDescription("Prefixes from the pools that the router holds and no Service owns.")
    public Integer unexpected;
}
