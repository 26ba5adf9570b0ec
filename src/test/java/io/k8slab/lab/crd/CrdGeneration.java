package io.k8slab.lab.crd;

import java.io.File;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.k8slab.lab.api.v1alpha1.BgpPeerPool;
import io.k8slab.lab.api.v1alpha1.LabCluster;

/**
 * Generates the CRDs from the Java types, the one source of truth for {@code crds/}.
 *
 * <p>The fabric8 generator has no annotation for list semantics, so a post-processor adds them: lists of
 * named things become {@code x-kubernetes-list-type: map} keyed by name (the API server rejects duplicate names,
 * and server-side apply merges items by name instead of replacing the list), and lists of plain values become
 * sets. It also puts the printer columns back in the order the classes declare them (the generator sorts
 * them by name, which would show AGE first).
 */
public final class CrdGeneration {

    /** Property paths (array properties marked {@code []}) whose items are unique by the named key. */
    private static final Map<String, String> LIST_MAP_KEYS = Map.of(
            "spec.nodes", "name",
            "spec.peers", "name",
            "spec.addressPools", "name");

    private static final List<String> LIST_SETS = List.of(
            "spec.addressPools[].addresses",
            "spec.addressPools[].advertisements[].communities");

    private CrdGeneration() {
    }

    /** Writes one {@code <plural>.<group>-v1.yml} per custom resource into {@code dir}. */
    public static void generateInto(File dir) {
        dir.mkdirs();
        new CRDGenerator()
                .inOutputDir(dir)
                .forCRDVersions("v1")
                .withPostProcessor(new Tidy())
                .customResourceClasses(RESOURCES)
                .generate();
    }

    private static final List<Class<? extends HasMetadata>> RESOURCES = List.of(LabCluster.class, BgpPeerPool.class);

    private static final class Tidy implements CRDPostProcessor {
        @Override
        public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
            var definition = (CustomResourceDefinition) crd;
            List<String> declaredColumns = RESOURCES.stream()
                    .filter(type -> HasMetadata.getFullResourceName(type).equals(crd.getMetadata().getName()))
                    .flatMap(type -> Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class)))
                    .map(AdditionalPrinterColumn::name)
                    .toList();
            for (var version : definition.getSpec().getVersions()) {
                version.getAdditionalPrinterColumns()
                        .sort(Comparator.comparingInt(column -> declaredColumns.indexOf(column.getName())));
                var root = version.getSchema().getOpenAPIV3Schema();
                LIST_MAP_KEYS.forEach((path, key) -> resolve(root, path).ifPresent(array -> {
                    array.setXKubernetesListType("map");
                    array.setXKubernetesListMapKeys(List.of(key));
                }));
                LIST_SETS.forEach(path -> resolve(root, path).ifPresent(array -> array.setXKubernetesListType("set")));
            }
            return crd;
        }

        private static Optional<JSONSchemaProps> resolve(JSONSchemaProps root, String path) {
            JSONSchemaProps current = root;
            for (String segment : path.split("\\.")) {
                boolean intoItems = segment.endsWith("[]");
                String name = intoItems ? segment.substring(0, segment.length() - 2) : segment;
                current = current.getProperties() == null ? null : current.getProperties().get(name);
                if (current == null) {
                    return Optional.empty();
                }
                if (intoItems) {
                    current = current.getItems().getSchema();
                }
            }
            return Optional.of(current);
        }
    }
}
