package io.k8slab.lab.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A Secret by name and namespace (the custom resources are cluster-scoped, so the namespace is explicit). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretReference {

    /**
     * The schema's defaults, also for code that reads a spec the API server did not default (it defaults only
     * inside objects that are present).
     */
    public static final String DEFAULT_NAMESPACE = "kube-system";

    @Required
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription("The Secret's name.")
    public String name;

    @Default(DEFAULT_NAMESPACE)
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription("The Secret's namespace.")
    public String namespace;
}
