package io.k8slab.lab.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BootstrapTokenTest {

    @Test
    void generatedTokensHaveKubeadmsShapeAndDiffer() {
        SecureRandom random = new SecureRandom();
        Set<String> values = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            BootstrapToken token = BootstrapToken.generate(random);
            assertThat(token.value()).matches("[a-z0-9]{6}\\.[a-z0-9]{16}");
            assertThat(token.secretName()).isEqualTo("bootstrap-token-" + token.id());
            values.add(token.value());
        }
        assertThat(values).hasSize(200);
    }

    @Test
    void itsTextNeverShowsTheSecret() {
        BootstrapToken token = BootstrapToken.of("abcdef", "0123456789abcdef").orElseThrow();
        assertThat(token.toString()).isEqualTo("bootstrap-token-abcdef");
        assertThat(new IssuedToken(token, java.time.Instant.EPOCH, "uid").toString()).doesNotContain("0123456789abcdef");
        assertThat(new JoinRequest("h:6443", token, java.util.List.of(), "n", "1.2.3.4").toString()).doesNotContain("0123456789abcdef");
    }

    @ParameterizedTest(name = "{0}.{1} -> {2}")
    @CsvSource({
            "abcdef, 0123456789abcdef, true",
            "abcde,  0123456789abcdef, false",
            "ABCDEF, 0123456789abcdef, false",
            "abcdef, 0123456789abcde,  false",
            "abcdef, 0123456789abcdeF, false",
            "abc-ef, 0123456789abcdef, false",
    })
    void onlyWellFormedPartsMakeAToken(String id, String secret, boolean valid) {
        assertThat(BootstrapToken.of(id, secret)).as(id + "." + secret).matches(t -> t.isPresent() == valid);
    }
}
