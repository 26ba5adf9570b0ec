package io.k8slab.lab.bgp;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.k8slab.lab.kube.Patterns;

/** The router's management API (gobgpd's gRPC API on rt-01). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RouterAPI {

    @Required
    @Pattern(Patterns.HOST_PORT)
    @JsonPropertyDescription("gobgpd's gRPC endpoint, host:port (gobgpd listens on 50051 by default).")
    public String address;

    @Default("false")
    @JsonPropertyDescription("When true the operator keeps the router's neighbor list in step with the speaker nodes, "
            + "adding and deleting only the neighbors it created.")
    public Boolean managed;
}
