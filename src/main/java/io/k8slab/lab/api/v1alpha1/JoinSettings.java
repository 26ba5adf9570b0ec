package io.k8slab.lab.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** How the operator joins workers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JoinSettings {

    /**
     * The schema's defaults, also for code that reads a spec the API server did not default (it defaults only
     * inside objects that are present).
     */
    public static final String DEFAULT_TOKEN_TTL = "30m";
    public static final String DEFAULT_PARALLELISM = "3";

    @Default(DEFAULT_TOKEN_TTL)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("Lifetime of the bootstrap tokens the operator issues, a Go duration from 2m to 24h such as 30m.")
    public String tokenTTL;

    @Default(DEFAULT_PARALLELISM)
    @Min(1)
    @Max(64)
    @JsonPropertyDescription("How many nodes may be joining at the same time.")
    public Integer parallelism;

    @JsonPropertyDescription("How the operator reaches the machines over SSH.")
    public SshSettings ssh;
}
