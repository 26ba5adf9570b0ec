package io.k8slab.lab.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The lab's BGP side: the ASN MetalLB speaks as, the routers it peers with and the address pools it announces.
 * Several BgpPeerPools merge into the one MetalLB configuration. Cluster-scoped.
 */
@Group("lab.k8slab.io")
@Version("v1alpha1")
@ShortNames("bpp")
@Categories("lab")
@AdditionalPrinterColumn(name = "MY-ASN", jsonPath = ".spec.myASN", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "PEERS", jsonPath = ".status.peers", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "ROUTES", jsonPath = ".status.routes", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "IPS", jsonPath = ".status.ips", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class BgpPeerPool extends CustomResource<BgpPeerPoolSpec, BgpPeerPoolStatus> {
}
