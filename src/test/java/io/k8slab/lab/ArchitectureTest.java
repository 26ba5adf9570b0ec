package io.k8slab.lab;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import io.fabric8.kubernetes.client.CustomResource;

/**
 * The operator's package structure, checked on its compiled classes (tests excluded).
 *
 * <p>Layers, bottom up: the API types of the custom resources; the pure rules (validation, rendering, route
 * comparison, and the router port they talk to); the adapters to the API server, SSH and gobgpd's gRPC API; the
 * reconcilers and the application wiring. A layer uses only the layers below it. A new package fails the layering
 * test until it is given a layer here.
 */
@AnalyzeClasses(packages = "io.k8slab.lab", importOptions = { ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class })
class ArchitectureTest {

    private static final String[] API = { "io.k8slab.lab.api.." };
    private static final String[] RULES = { "io.k8slab.lab.kube", "io.k8slab.lab.metallb", "io.k8slab.lab.routes",
            "io.k8slab.lab.router" };
    private static final String[] ADAPTERS = { "io.k8slab.lab.kube.client..", "io.k8slab.lab.metallb.apply..",
            "io.k8slab.lab.router.gobgp..", "io.k8slab.lab.router.apipb..", "io.k8slab.lab.join..", "io.k8slab.lab.nodes..",
            "io.k8slab.lab.metrics.." };
    private static final String[] RECONCILERS = { "io.k8slab.lab.bgp..", "io.k8slab.lab.cluster..", "io.k8slab.lab.operator.." };

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.k8slab.lab.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("API").definedBy(API)
            .layer("Rules").definedBy(RULES)
            .layer("Adapters").definedBy(ADAPTERS)
            .layer("Reconcilers").definedBy(RECONCILERS)
            .whereLayer("Reconcilers").mayNotBeAccessedByAnyLayer()
            .whereLayer("Adapters").mayOnlyBeAccessedByLayers("Reconcilers")
            .whereLayer("Rules").mayOnlyBeAccessedByLayers("Adapters", "Reconcilers")
            .whereLayer("API").mayOnlyBeAccessedByLayers("Rules", "Adapters", "Reconcilers")
            .ensureAllClassesAreContainedInArchitecture();

    /** Pure means no I/O client: the rules get what they decide on as values and return values. */
    @ArchTest
    static final ArchRule rulesAndApiArePure = noClasses().that().resideInAnyPackage(concat(API, RULES))
            .should().dependOnClassesThat(resideInAnyPackage("io.fabric8.kubernetes.client..", "io.javaoperatorsdk..",
                    "io.grpc..", "org.apache.sshd..", "io.quarkus..", "jakarta..")
                    // The custom resources' base class lives in the client's package.
                    .and(not(equivalentTo(CustomResource.class))))
            .because("validation, rendering and route comparison are pure functions with table-style tests; "
                    + "their side effects belong to the adapters");

    private static String[] concat(String[] a, String[] b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
