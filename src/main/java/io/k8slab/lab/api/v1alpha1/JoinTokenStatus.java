package io.k8slab.lab.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where the current bootstrap token lives; deliberately never its value. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JoinTokenStatus {

    @JsonPropertyDescription("The token's Secret in kube-system, bootstrap-token-<id>.")
    public String secretName;

    @JsonPropertyDescription("When the token expires (RFC 3339).")
    public String expiresAt;
}
