package io.k8slab.lab.routes;

import io.k8slab.lab.metallb.MetalLbVersion;

/**
 * Where a MetalLB release reads a Service's endpoints from, so the expected routes read the same (MetalLB's
 * internal/k8s/k8s.go, UseEndpointSlices and the informers it starts, at each tag):
 * <ul>
 * <li>before v0.10.0: v1 Endpoints only;</li>
 * <li>v0.10.0 to v0.12.1: discovery.k8s.io/v1beta1 EndpointSlices when the API server serves that version, else
 * Endpoints;</li>
 * <li>v0.13.0 to v0.13.5: v1 EndpointSlices when the server serves discovery.k8s.io/v1 (its probe also reads the
 * kubernetes Service's slice through v1beta1, so both must be served), else Endpoints; v0.13.6 to v0.13.12 probe
 * through v1, so v1 alone decides;</li>
 * <li>v0.14.0 and later: v1 EndpointSlices only (on a server without them MetalLB cannot start; the slices it
 * serves, or else Endpoints, are the best guess).</li>
 * </ul>
 * MetalLB's {@code --disable-epslices} flag (v0.11 to v0.13) turns slices off; the operator cannot see it.
 */
public enum EndpointSource {
    ENDPOINTS, ENDPOINT_SLICES;

    /** Which discovery.k8s.io versions of EndpointSlice the API server serves. */
    public record Served(boolean v1, boolean v1beta1) {
        public boolean any() {
            return v1 || v1beta1;
        }
    }

    private static final MetalLbVersion FIRST_SLICES = new MetalLbVersion(0, 10, 0);
    private static final MetalLbVersion FIRST_V1_SLICES = new MetalLbVersion(0, 13, 0);
    private static final MetalLbVersion FIRST_V1_PROBE = new MetalLbVersion(0, 13, 6);
    private static final MetalLbVersion FIRST_SLICES_ONLY = new MetalLbVersion(0, 14, 0);

    /** What MetalLB {@code version} reads (v0.7.3 when null or unparseable, the operator's default). */
    public static EndpointSource of(String version, Served served) {
        MetalLbVersion release = MetalLbVersion.parse(version).orElse(MetalLbVersion.DEFAULT);
        boolean slices;
        if (release.compareTo(FIRST_SLICES) < 0) {
            slices = false;
        } else if (release.compareTo(FIRST_V1_SLICES) < 0) {
            slices = served.v1beta1();
        } else if (release.compareTo(FIRST_V1_PROBE) < 0) {
            slices = served.v1() && served.v1beta1();
        } else if (release.compareTo(FIRST_SLICES_ONLY) < 0) {
            slices = served.v1();
        } else {
            slices = served.any();
        }
        return slices ? ENDPOINT_SLICES : ENDPOINTS;
    }
}
