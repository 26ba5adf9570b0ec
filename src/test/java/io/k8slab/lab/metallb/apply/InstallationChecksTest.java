package io.k8slab.lab.metallb.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8slab.lab.metallb.ResolvedTarget;
import io.k8slab.lab.testing.SettableClock;

class InstallationChecksTest {

    private static final ResolvedTarget TARGET = new ResolvedTarget("v0.7.3", "metallb-system", "config", true);
    private static final Duration INTERVAL = Duration.ofMinutes(5);

    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-25T12:00:00Z"));
    private final InstallationChecks checks = new InstallationChecks(clock, INTERVAL);

    @Test
    void theFirstLookChecks() {
        assertThat(checks.due(TARGET, Optional.of(released(Deployment.class)), Optional.of(released(DaemonSet.class)))).isTrue();
    }

    @Test
    void aCheckedTargetWithItsWorkloadsAsReleasedWaitsForTheInterval() {
        checks.checked(TARGET);
        clock.advance(INTERVAL.minusSeconds(1));
        assertThat(checks.due(TARGET, Optional.of(released(Deployment.class)), Optional.of(released(DaemonSet.class)))).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(checks.due(TARGET, Optional.of(released(Deployment.class)), Optional.of(released(DaemonSet.class)))).isTrue();
    }

    @Test
    void anotherTargetHasItsOwnCheck() {
        checks.checked(TARGET);
        ResolvedTarget other = new ResolvedTarget("v0.7.3", "metallb-other", "config", true);
        assertThat(checks.due(other, Optional.of(released(Deployment.class, other)), Optional.of(released(DaemonSet.class, other)))).isTrue();
    }

    /** Within the interval, a watched workload that is missing or differs from the release makes a check due at once. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("changedWorkloads")
    void aChangedWorkloadChecksAtOnce(String description, Optional<Deployment> controller, Optional<DaemonSet> speaker) {
        checks.checked(TARGET);
        clock.advance(Duration.ofSeconds(10));
        assertThat(checks.due(TARGET, controller, speaker)).isTrue();
    }

    static Stream<Arguments> changedWorkloads() {
        return Stream.of(
                Arguments.of("speaker deleted", Optional.of(released(Deployment.class)), Optional.empty()),
                Arguments.of("controller deleted", Optional.empty(), Optional.of(released(DaemonSet.class))),
                Arguments.of("controller image edited", Optional.of(edited(Deployment.class,
                        d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("metallb/controller:v0.8.0"))),
                        Optional.of(released(DaemonSet.class))),
                Arguments.of("speaker args edited", Optional.of(released(Deployment.class)), Optional.of(edited(DaemonSet.class,
                        d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().set(0, "--port=7473")))));
    }

    private static <T extends HasMetadata> T released(Class<T> type) {
        return released(type, TARGET);
    }

    private static <T extends HasMetadata> T released(Class<T> type, ResolvedTarget target) {
        return MetalLbInstallation.desired(target).stream().filter(o -> o.getKind().equals(type.getSimpleName())).findFirst()
                .map(o -> Serialization.jsonMapper().convertValue(o, type)).orElseThrow();
    }

    private static <T extends HasMetadata> T edited(Class<T> type, Consumer<T> edit) {
        T object = released(type);
        edit.accept(object);
        return object;
    }
}
