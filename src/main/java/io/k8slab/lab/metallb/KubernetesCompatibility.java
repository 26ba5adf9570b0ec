package io.k8slab.lab.metallb;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.k8slab.lab.kube.Violation;

/**
 * Which MetalLB the operator may install on which Kubernetes. MetalLB before v0.9 (its 2018 client-go and
 * json-iterator) cannot decode what an API server of 1.18 or newer sends (the managedFields every object carries):
 * measured with v0.7.3's controller against kube-apiserver 1.20.2, and met by kubespray on 1.18.2
 * (kubernetes-sigs/kubespray#6139). Configuring a MetalLB someone else installed ({@code install: false}) is
 * allowed anywhere: the ConfigMap format is the same, and they chose the release. Pure.
 */
public final class KubernetesCompatibility {

    public static final String INCOMPATIBLE = "IncompatibleKubernetes";
    private static final MetalLbVersion FIRST_FOR_MANAGED_FIELDS = new MetalLbVersion(0, 9, 0);
    private static final Pattern MINOR = Pattern.compile("([0-9]+).*");

    /** A Kubernetes API server's release, as {@code /version} reports it (minor may read "20+"). */
    public record KubernetesVersion(int major, int minor) {

        public static Optional<KubernetesVersion> parse(String major, String minor) {
            if (major == null || minor == null) {
                return Optional.empty();
            }
            Matcher majorNumber = MINOR.matcher(major);
            Matcher minorNumber = MINOR.matcher(minor);
            return majorNumber.matches() && minorNumber.matches()
                    ? Optional.of(new KubernetesVersion(Integer.parseInt(majorNumber.group(1)), Integer.parseInt(minorNumber.group(1))))
                    : Optional.empty();
        }

        boolean atLeast(int major, int minor) {
            return this.major > major || this.major == major && this.minor >= minor;
        }

        @Override
        public String toString() {
            return major + "." + minor;
        }
    }

    private KubernetesCompatibility() {
    }

    /** Why the operator must not install the target's MetalLB on this Kubernetes, or empty when it may. */
    public static Optional<Violation> check(ResolvedTarget target, KubernetesVersion kubernetes) {
        Optional<MetalLbVersion> version = MetalLbVersion.parse(target.version());
        if (!target.install() || version.isEmpty() || version.get().compareTo(FIRST_FOR_MANAGED_FIELDS) >= 0 || !kubernetes.atLeast(1, 18)) {
            return Optional.empty();
        }
        return Optional.of(new Violation("spec.metallb.version", INCOMPATIBLE, "MetalLB " + target.version() + " does not run on "
                + "Kubernetes " + kubernetes + ": releases before v0.9 cannot decode what API servers of 1.18 and later send "
                + "(managedFields), so their controller never assigns an address; nothing was installed. Choose "
                + MetalLbRelease.V0_16_1.version() + " (installed by the operator, configured through metallb.io resources), or set "
                + "spec.metallb.install to false to configure a MetalLB installed another way"));
    }
}
