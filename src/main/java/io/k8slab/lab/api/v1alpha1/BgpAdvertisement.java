package io.k8slab.lab.api.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** One way of announcing a pool's addresses. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BgpAdvertisement {

    /** The schema's default and bound, also for code that reads a spec the API server did not default. */
    public static final String DEFAULT_AGGREGATION_LENGTH = "32";
    public static final int MAX_AGGREGATION_LENGTH = 32;

    @Default(DEFAULT_AGGREGATION_LENGTH)
    @Min(0)
    @Max(MAX_AGGREGATION_LENGTH)
    @JsonPropertyDescription("Prefix length of the announced routes; 32 announces each IP, shorter aggregates. "
            + "Must not be shorter than any CIDR of the pool.")
    public Integer aggregationLength;

    @Min(0)
    @Max(Patterns.MAX_ASN)
    @JsonPropertyDescription("BGP LOCAL_PREF of the announced routes.")
    public Long localPref;

    @JsonPropertyDescription("Communities attached to the routes: asn:value, or a name from spec.communities.")
    public List<@Pattern(Patterns.COMMUNITY) String> communities;
}
