package io.k8slab.lab.metallb.apply;

import java.util.List;

/**
 * The API server serves none of some metallb.io kinds MetalLB v0.13 and later read their configuration from: MetalLB's
 * CRDs are not installed (yet). Nothing was written; the write is tried again.
 */
public final class MetalLbCrdsMissingException extends RuntimeException {

    public static final String REASON = "MetalLBCRDsMissing";

    /** @param crds the missing CRDs, as {@code <plural>.<group> (<version>)} */
    public MetalLbCrdsMissingException(List<String> crds) {
        super("the API server does not serve " + String.join(", ", crds) + ": MetalLB (v0.13 and later) reads its configuration from "
                + "these custom resources. Install MetalLB's CRDs (its cluster-wide part) first");
    }
}
