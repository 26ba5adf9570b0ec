package io.k8slab.lab.metallb;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/**
 * The ConfigMap key {@code config} of MetalLB v0.7.3, key for key as its parser declares it (including the keys the
 * lab never writes, so that a config using them still reads). Written by {@link ConfigMapRenderer}; the tests read
 * it back through the same mapper, which, like MetalLB's strict YAML decoding, rejects unknown keys.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ConfigFile(
        List<Peer> peers,
        @JsonProperty("bgp-communities") Map<String, String> bgpCommunities,
        @JsonProperty("address-pools") List<AddressPool> addressPools) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Peer(
            @JsonProperty("my-asn") Long myAsn,
            @JsonProperty("peer-asn") Long peerAsn,
            @JsonProperty("peer-address") String peerAddress,
            @JsonProperty("peer-port") Integer peerPort,
            @JsonProperty("hold-time") String holdTime,
            @JsonProperty("router-id") String routerId,
            @JsonProperty("node-selectors") List<NodeSelector> nodeSelectors,
            String password) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record NodeSelector(
            @JsonProperty("match-labels") Map<String, String> matchLabels,
            @JsonProperty("match-expressions") List<Requirement> matchExpressions) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Requirement(String key, String operator, List<String> values) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record AddressPool(
            String name,
            String protocol,
            List<String> addresses,
            @JsonProperty("avoid-buggy-ips") Boolean avoidBuggyIps,
            @JsonProperty("auto-assign") Boolean autoAssign,
            @JsonProperty("bgp-advertisements") List<BgpAdvertisement> bgpAdvertisements) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record BgpAdvertisement(
            @JsonProperty("aggregation-length") Integer aggregationLength,
            Long localpref,
            List<String> communities) {
    }

    /** Also what the tests read a rendered config with, as MetalLB's strict decoder would. */
    static final ObjectMapper MAPPER = JsonMapper.builder(YAMLFactory.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // Quote "0" or "123" strings, so a YAML reader cannot take them for numbers.
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build())
            // MetalLB's Go YAML decoder does not read "42" (a string) as a number; neither do we.
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // An empty list item or value ("-", "key:") is YAML's null, which Go decodes as the zero value.
            .withCoercionConfigDefaults(config -> config.setCoercion(CoercionInputShape.EmptyString, CoercionAction.AsNull))
            .build();

    String write() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write MetalLB config", e);
        }
    }
}
