package io.k8slab.lab.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** Where MetalLB runs and which of its configuration formats the operator writes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetalLbTarget {

    /**
     * The schema's defaults, also for code that reads a spec the API server did not default (it defaults only
     * inside objects that are present).
     */
    public static final String DEFAULT_VERSION = "v0.7.3";
    public static final String DEFAULT_NAMESPACE = "metallb-system";
    public static final String DEFAULT_CONFIG_MAP_NAME = "config";
    public static final String DEFAULT_INSTALL = "true";

    @Default(DEFAULT_VERSION)
    @Pattern("^v[0-9]+\\.[0-9]+\\.[0-9]+$")
    @JsonPropertyDescription("The MetalLB release: v0.7.3 (configured through a ConfigMap) or v0.13.0 and later "
            + "(configured through metallb.io custom resources).")
    public String version;

    @Default(DEFAULT_NAMESPACE)
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription("The namespace MetalLB runs in.")
    public String namespace;

    @Default(DEFAULT_CONFIG_MAP_NAME)
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription("The ConfigMap MetalLB v0.7.3 reads (key 'config').")
    public String configMapName;

    @Default(DEFAULT_INSTALL)
    @JsonPropertyDescription("Whether the operator installs MetalLB and keeps its components in place.")
    public Boolean install;
}
