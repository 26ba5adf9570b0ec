package io.k8slab.lab.metallb;

import io.k8slab.lab.api.v1alpha1.MetalLbTarget;

/** Which MetalLB a BgpPeerPool configures, with the schema's defaults applied to what was not given. */
public record EffectiveTarget(String version, String namespace, String configMapName, boolean install) {

    public static EffectiveTarget of(MetalLbTarget target) {
        MetalLbTarget given = target == null ? new MetalLbTarget() : target;
        return new EffectiveTarget(given.version == null ? MetalLbVersion.DEFAULT.toString() : given.version,
                given.namespace == null ? "metallb-system" : given.namespace,
                given.configMapName == null ? "config" : given.configMapName,
                given.install == null || given.install);
    }

    @Override
    public String toString() {
        return "MetalLB " + version + " in namespace " + namespace + " (ConfigMap " + configMapName + ", install " + install + ")";
    }
}
