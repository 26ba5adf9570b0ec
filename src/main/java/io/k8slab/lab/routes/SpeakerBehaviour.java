package io.k8slab.lab.routes;

import io.k8slab.lab.metallb.MetalLbVersion;

/**
 * The MetalLB speaker rules that decide which nodes announce a Service, which changed between releases (read in
 * MetalLB's speaker/main.go and speaker/bgp_controller.go at each tag):
 * <ul>
 * <li>v0.7.x announces a Service with {@code externalTrafficPolicy: Cluster} from every speaker, endpoints or not;
 * v0.8.0 and later only while the Service has at least one ready endpoint somewhere.</li>
 * <li>Before v0.12.0 a Service with more than one {@code status.loadBalancer.ingress} entry is not announced at
 * all; from v0.12.0 on each ingress IP is.</li>
 * </ul>
 * {@code externalTrafficPolicy: Local} is the same everywhere: only speakers on nodes with a ready local endpoint
 * announce.
 *
 * @param clusterPolicyNeedsEndpoint Cluster-policy Services are announced only while some endpoint is ready
 * @param singleIngressOnly a Service is announced only when it has exactly one ingress entry
 */
public record SpeakerBehaviour(boolean clusterPolicyNeedsEndpoint, boolean singleIngressOnly) {

    /** MetalLB v0.7.3, the reference lab's release. */
    public static final SpeakerBehaviour V0_7 = new SpeakerBehaviour(false, true);

    private static final MetalLbVersion FIRST_NEEDING_ENDPOINTS = new MetalLbVersion(0, 8, 0);
    private static final MetalLbVersion FIRST_MULTI_INGRESS = new MetalLbVersion(0, 12, 0);

    /** The rules of MetalLB {@code version} (v0.7.3 when null or unparseable, the operator's default). */
    public static SpeakerBehaviour forVersion(String version) {
        MetalLbVersion release = MetalLbVersion.parse(version).orElse(MetalLbVersion.DEFAULT);
        return new SpeakerBehaviour(release.compareTo(FIRST_NEEDING_ENDPOINTS) >= 0, release.compareTo(FIRST_MULTI_INGRESS) < 0);
    }
}
