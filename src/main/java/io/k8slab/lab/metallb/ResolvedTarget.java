package io.k8slab.lab.metallb;

import io.k8slab.lab.api.v1alpha1.MetalLbTarget;

/** Which MetalLB a BgpPeerPool configures, with the schema's defaults applied to what was not given. */
public record ResolvedTarget(String version, String namespace, String configMapName, boolean install) {

    public static ResolvedTarget of(MetalLbTarget target) {
        MetalLbTarget given = target == null ? new MetalLbTarget() : target;
        return new ResolvedTarget(given.version == null ? MetalLbTarget.DEFAULT_VERSION : given.version,
                given.namespace == null ? MetalLbTarget.DEFAULT_NAMESPACE : given.namespace,
                given.configMapName == null ? MetalLbTarget.DEFAULT_CONFIG_MAP_NAME : given.configMapName,
                given.install == null ? Boolean.parseBoolean(MetalLbTarget.DEFAULT_INSTALL) : given.install);
    }

    @Override
    public String toString() {
        return "MetalLB " + version + " in namespace " + namespace + " (ConfigMap " + configMapName + ", install " + install + ")";
    }
}
