package io.k8slab.lab.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The lab's Kubernetes cluster: which machines are in it, on which networks, and how workers join.
 * Cluster-scoped, like the nodes it describes.
 */
@Group("lab.k8slab.io")
@Version("v1alpha1")
@ShortNames("lc")
@Categories("lab")
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.ready", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "PHASE", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "ENDPOINT", jsonPath = ".spec.controlPlaneEndpoint", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class LabCluster extends CustomResource<LabClusterSpec, LabClusterStatus> {
}
