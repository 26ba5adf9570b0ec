package io.k8slab.lab.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** Where MetalLB runs and which of its configuration formats the operator writes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetalLbTarget {

    @Default("v0.7.3")
    @Pattern("^v[0-9]+\\.[0-9]+\\.[0-9]+$")
    @JsonPropertyDescription("The MetalLB release: v0.7.3 (configured through a ConfigMap) or v0.13.0 and later "
            + "(configured through metallb.io custom resources).")
    public String version;

    @Default("metallb-system")
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription("The namespace MetalLB runs in.")
    public String namespace;

    @Default("config")
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription("The ConfigMap MetalLB v0.7.3 reads (key 'config').")
    public String configMapName;

    @Default("true")
    @JsonPropertyDescription("Whether the operator installs MetalLB and keeps its components in place.")
    public Boolean install;
}
