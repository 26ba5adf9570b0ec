package io.k8slab.lab.metallb;

import java.util.ArrayList;
import java.util.List;

import io.k8slab.lab.kube.Violation;

/**
 * Rules of MetalLB's configuration parser for its custom resources that v0.7.3's parser lacks, for the resources
 * {@link CrdRenderer} writes. The source is {@code internal/config/config.go} at v0.16.1, function
 * {@code For}: the one parse-and-validate step that MetalLB's validating webhook, its controller and its speakers
 * all run, so a resource that breaks one of these rules is refused by the webhook or, written past it, makes
 * MetalLB keep its previous configuration. The rest of that function either matches a v0.7.3 rule
 * {@link BgpConfigValidator} already applies or concerns fields the operator never writes.
 *
 * <p>The CEL rules ({@code x-kubernetes-validations}) of v0.16.1's CRDs all concern fields the operator never
 * writes (BGPPeer connectTime and enableGracefulRestart, BGPAdvertisement serviceSelectors) or objects only
 * MetalLB writes (ServiceBGPStatus, ServiceL2Status); MetalLbCelRulesTest keeps that list in step with the manifest.
 */
final class CrdRules {

    private CrdRules() {
    }

    /** The violations of one bgp pool's advertisements; {@code field} is the pool's path. */
    static List<Violation> advertisements(String field, List<MetalLbModel.Advertisement> advertisements) {
        List<Violation> violations = new ArrayList<>();
        for (int k = 0; k < advertisements.size(); k++) {
            String adField = field + ".advertisements[" + k + "]";
            MetalLbModel.Advertisement advertisement = advertisements.get(k);
            // bgpAdvertisementFromCR: validateDuplicate(crdAd.Spec.Communities, "community"), on the strings as written.
            List<String> written = advertisement.resolvedCommunities();
            for (int c = 0; c < written.size(); c++) {
                int first = written.indexOf(written.get(c));
                if (first < c) {
                    violations.add(new Violation(adField + ".communities[" + c + "]", "DuplicateCommunity", "community '"
                            + advertisement.communities().get(c) + "' is written as " + written.get(c) + ", like communities["
                            + first + "]; MetalLB v0.13+ refuses an advertisement that lists a community twice"));
                }
            }
            // validateBGPAdvPerPool -> BGPAdvertisementsHaveCompatibleLocalPref: advertisements of one pool that
            // reach the same nodes and peers (the operator's select all of both) with the same aggregation length
            // must agree on LOCAL_PREF.
            for (int j = 0; j < k; j++) {
                MetalLbModel.Advertisement earlier = advertisements.get(j);
                if (earlier.aggregationLength() == advertisement.aggregationLength() && earlier.localPref() != advertisement.localPref()) {
                    violations.add(new Violation(adField + ".localPref", "ConflictingLocalPref", "local preference "
                            + advertisement.localPref() + " differs from " + earlier.localPref()
                            + " of advertisements[" + j + "] with the same aggregation length "
                            + advertisement.aggregationLength() + "; MetalLB v0.13+ refuses two LOCAL_PREFs for the same route"));
                    break;
                }
            }
        }
        return violations;
    }
}
