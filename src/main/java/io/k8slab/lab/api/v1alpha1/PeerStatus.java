package io.k8slab.lab.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One router and the sessions the speakers hold with it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PeerStatus {

    @JsonPropertyDescription("The peer's name from the spec.")
    public String name;

    @JsonPropertyDescription("The router's address.")
    public String address;

    @JsonPropertyDescription("The router's AS number.")
    public Long asn;

    @JsonPropertyDescription("Sessions in state Established.")
    public Integer sessionsEstablished;

    @JsonPropertyDescription("Sessions there should be: one per speaker node selected for this peer.")
    public Integer sessionsExpected;

    @JsonPropertyDescription("One entry per speaker node.")
    public List<SessionStatus> sessions = new ArrayList<>();
}
