package io.k8slab.lab.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

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

    @JsonPropertyDescription("The operator's client certificate for the API: a Secret of type kubernetes.io/tls (keys "
            + "tls.crt and tls.key, an unencrypted PKCS#8 PEM key) with a key ca.crt, the CA that signed the router's "
            + "certificate. With it the operator speaks gRPC over TLS and presents the certificate; without it, plaintext. "
            + "The operator may read Secrets only in kube-system.")
    public SecretReference tlsSecretRef;
}
