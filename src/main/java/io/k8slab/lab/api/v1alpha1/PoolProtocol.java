package io.k8slab.lab.api.v1alpha1;

/** MetalLB's announcement modes. */
public enum PoolProtocol {
    bgp,
    layer2
}
