package io.k8slab.lab.bgp;

/** MetalLB's announcement modes. */
public enum PoolProtocol {
    bgp,
    layer2
}
