package io.k8slab.lab.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The hashes were computed with kubeadm's documented recipe: openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256sum. */
class DiscoveryHashTest {

    static final String RSA_CA = """
            -----BEGIN CERTIFICATE-----
            MIIDCzCCAfOgAwIBAgIUeEQfmViY/ivuHdispoJhLHjBT2gwDQYJKoZIhvcNAQEL
            BQAwFTETMBEGA1UEAwwKa3ViZXJuZXRlczAeFw0yNjExMjUxNTM0MDFaFw0zNjEx
            MjIxNTM0MDFaMBUxEzARBgNVBAMMCmt1YmVybmV0ZXMwggEiMA0GCSqGSIb3DQEB
            AQUAA4IBDwAwggEKAoIBAQCKLzCmWeiLMLPQVvJsPlD4OWhKjGW465qOwRi0cbvP
            8UMw2SvpQQNJMuxDhNJKokhdPIext9DRU2VQx1auDb4FZ07PvLQtLizq92GhEyQS
            nY15wFgXWYg4lYjExnfLYMd6w+0bdyPV0uJH6ksAhXGzJXUSoYG1iLlQHJqiZKrq
            aDiWIxjGagmEETZ3GiT6a72rMgcN9nQ6TlD4t09rdzkQNx7MioJU84bREj3RQGyp
            dIhdGV8f+mC3ZtVV+7tTimIn9FA7pCB+qFpbOGkKh8Ap0m1czObHRnHd8bYlxdYg
            +BrrSnS6byM7fqmlc2uPVT4Kd8anzIBHr3t+QqPIojvTAgMBAAGjUzBRMB0GA1Ud
            DgQWBBQA0Vj+IbQ5rMRzIV+Pz5wEGJ4pJTAfBgNVHSMEGDAWgBQA0Vj+IbQ5rMRz
            IV+Pz5wEGJ4pJTAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQBA
            F7j6lGv2iSwq0SHGNH6mzEyM3gj5wZbBk3/646VnViZF92Cs1Z1Qmkgv87jQX7vk
            D3U1l+1hs2vNs+ETG0l/XxV2yoW+sLAM9s1KcCrUpIBUOVSJdw/FmmYWLLVudQen
            CwcESTgaARO2AeImZrWnXGSmyFJf0O6iBBUnB0NcfBrj8ZIbssJEwy5svZibZaBn
            uL5mCBlmKcaye6nhcsvP7QVhB3iDJMPVKrHzPOFu3dNT43scncvlJwnb8LxAh0gb
            GNBuwb22ZWTw9VdhayNWtTmqV/mc6JEr9ey8fq5hY/QbQHLtVo97XmFSEtxfnddE
            ElzWfqAV70+ybUXCDPCd
            -----END CERTIFICATE-----
            """;
    static final String EC_CA = """
            -----BEGIN CERTIFICATE-----
            MIIBhDCCASugAwIBAgIUN7h2S5Z4ryp+V0AKa3ys5u+m9FMwCgYIKoZIzj0EAwIw
            GDEWMBQGA1UEAwwNa3ViZXJuZXRlcy1lYzAeFw0yNjExMjUxNTM0MDFaFw0zNjEx
            MjIxNTM0MDFaMBgxFjAUBgNVBAMMDWt1YmVybmV0ZXMtZWMwWTATBgcqhkjOPQIB
            BggqhkjOPQMBBwNCAATLIAJKmDDuDdyqROXqB9W/cLVFUtG2HxJM0PjYQUWy41Oe
            0vdcN0IZTTS9vyjl4IIaWHHu3jlX9t1TBepx5Z5no1MwUTAdBgNVHQ4EFgQU2u2d
            W6qm2qSJ/EKECwro6Bfu2dcwHwYDVR0jBBgwFoAU2u2dW6qm2qSJ/EKECwro6Bfu
            2dcwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiATZXmLctRkbPk1
            E/kYnqC7V0oJHnk/rojbzXPb51i+eAIgJuNcgTiq2y3wyWyCam0GlQ6jUNs7eZRb
            EydohuDBZHE=
            -----END CERTIFICATE-----
            """;

    @ParameterizedTest
    @CsvSource({
            "RSA, sha256:c509f1357b3e0dfdaf7f0cdb9c61e126e2035f94fca97f39a4e7a19e4e6bc8a1",
            "EC,  sha256:4c3c96168e47010d9b0b20d5fe3d58994a44899b6d5a43045726c37249d5c9e6",
    })
    void matchesKubeadmsRecipe(String kind, String expected) {
        String pem = kind.equals("RSA") ? RSA_CA : EC_CA;
        assertThat(DiscoveryHash.ofPem(pem)).containsExactly(expected);
    }

    @Test
    void hashesTheDerTheCertificateCarries() throws Exception {
        var certificate = DiscoveryHash.certificates(RSA_CA).get(0);
        byte[] reencoded = MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
        assertThat(DiscoveryHash.of(certificate)).isEqualTo("sha256:" + HexFormat.of().formatHex(reencoded));
    }

    @Test
    void aBundlePinsEveryCertificateInOrder() {
        assertThat(DiscoveryHash.ofPem(EC_CA + RSA_CA)).containsExactly(
                "sha256:4c3c96168e47010d9b0b20d5fe3d58994a44899b6d5a43045726c37249d5c9e6",
                "sha256:c509f1357b3e0dfdaf7f0cdb9c61e126e2035f94fca97f39a4e7a19e4e6bc8a1");
    }

    @Test
    void malformedInputIsRefusedWithAReason() {
        assertThatThrownBy(() -> DiscoveryHash.of(new byte[] { 0x30, 0x05, 0x02, 0x01 }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed certificate");
        assertThatThrownBy(() -> DiscoveryHash.ofPem("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
