package io.k8slab.lab.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The three address ranges a kubeadm lab needs to keep apart. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LabNetworks {

    @Required
    @Pattern(Patterns.IPV4_CIDR)
    @JsonPropertyDescription("The network the machines share (the lab interface, not the NAT one), e.g. 172.17.0.0/24.")
    public String nodeCIDR;

    @Required
    @Pattern(Patterns.IPV4_CIDR)
    @JsonPropertyDescription("The pod network given to kubeadm and the CNI, e.g. 10.244.0.0/16 for flannel.")
    public String podCIDR;

    @Required
    @Pattern(Patterns.IPV4_CIDR)
    @JsonPropertyDescription("The Service network given to kubeadm, e.g. 10.96.0.0/12. Must not overlap the pod network.")
    public String serviceCIDR;
}
