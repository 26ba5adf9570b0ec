package io.k8slab.lab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * The checks of the Vagrant lab that run without a VM, each through {@code hack/lint-lab.sh CHECK} (the same
 * commands a person runs): a missing tool fails the test with the Debian package to install, never skips it.
 */
class LabStaticChecksTest {

    private static void check(String name, Duration timeout) {
        LabProcess.Result result = LabProcess.runAllowingFailure(timeout, "bash", "hack/lint-lab.sh", name);
        assertThat(result.exitCode())
                .as("hack/lint-lab.sh %s failed:%n--- stdout%n%s%n--- stderr%n%s", name, result.stdout(), result.stderr())
                .isZero();
        assertThat(result.stdout()).contains("lint-lab: " + name + " passed");
    }

    @Test
    void rubyParsesTheVagrantfileAndTheRenderer() {
        check("ruby", Duration.ofSeconds(60));
    }

    @Test
    void vagrantValidatesTheVagrantfileWithThreeAndFiveWorkers() {
        check("vagrant", Duration.ofSeconds(120));
    }

    @Test
    void everyPlaybookPassesAnsibleSyntaxCheck() {
        check("syntax", Duration.ofSeconds(120));
    }

    @Test
    void ansibleLintFindsNothingWithTheProductionProfile() {
        check("lint", Duration.ofSeconds(180));
    }

    @Test
    void everyShellScriptPassesShellcheck() {
        check("shellcheck", Duration.ofSeconds(120));
    }

    @Test
    void everyTemplateRendersForEveryMachineIntoValidFiles() {
        check("templates", Duration.ofSeconds(120));
    }

    @Test
    void routerConfigurationGivesEcmpKernelRoutesAndRejectsTheNatRange() {
        check("router", Duration.ofSeconds(180));
    }
}
