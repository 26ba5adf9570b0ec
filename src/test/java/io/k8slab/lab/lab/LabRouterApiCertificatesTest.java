package io.k8slab.lab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.k8slab.lab.router.RouterTls;

/**
 * The certificates of rt-01's API, generated once on the host by deploy/lab/lab.rb (with the openssl command): the
 * lab's API CA, rt-01's certificate for its k8s-cluster address (haproxy's PEM: certificate and key), and the
 * operator's client certificate, which the master puts into kube-system/rt-01-api. Read here the way the operator
 * reads that Secret.
 */
class LabRouterApiCertificatesTest {

    @Test
    void certificatesAreMadeOnceChainToTheLabCaAndAreReadableByTheOperator(@TempDir Path dir) throws Exception {
        Path tls = dir.resolve("generated").resolve("tls");
        LabProcess.render("write", dir.resolve("generated").toString());
        byte[] firstCa = Files.readAllBytes(tls.resolve("lab-api-ca.crt"));
        byte[] firstClient = Files.readAllBytes(tls.resolve("lab-operator.crt"));
        byte[] firstServer = Files.readAllBytes(tls.resolve("rt-01-api.pem"));
        LabProcess.render("write", dir.resolve("generated").toString());
        assertThat(Files.readAllBytes(tls.resolve("lab-api-ca.crt"))).as("the CA is made once").isEqualTo(firstCa);
        assertThat(Files.readAllBytes(tls.resolve("lab-operator.crt"))).as("the client certificate is made once").isEqualTo(firstClient);
        assertThat(Files.readAllBytes(tls.resolve("rt-01-api.pem"))).as("rt-01's certificate is made once").isEqualTo(firstServer);

        for (String key : List.of("lab-api-ca.key", "lab-operator.key", "rt-01-api.key", "rt-01-api.pem")) {
            assertThat(Files.getPosixFilePermissions(tls.resolve(key))).as(key)
                    .containsOnly(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }

        X509Certificate ca = certificate(tls.resolve("lab-api-ca.crt"));
        X509Certificate server = certificate(tls.resolve("rt-01-api.crt"));
        X509Certificate client = certificate(tls.resolve("lab-operator.crt"));
        server.verify(ca.getPublicKey());
        client.verify(ca.getPublicKey());
        assertThat(server.getSubjectAlternativeNames()).as("rt-01's certificate names its k8s-cluster address")
                .containsExactly(List.of(7, "172.17.0.1"));
        assertThat(new String(Files.readAllBytes(tls.resolve("rt-01-api.pem")))).contains("BEGIN CERTIFICATE").contains("BEGIN PRIVATE KEY");

        // What the master's Secret holds, as the operator checks it before any handshake.
        Base64.Encoder base64 = Base64.getEncoder();
        RouterTls credentials = RouterTls.fromSecretData("172.17.0.1:50051", "kube-system/rt-01-api", "1", Map.of(
                RouterTls.CERTIFICATE, base64.encodeToString(Files.readAllBytes(tls.resolve("lab-operator.crt"))),
                RouterTls.PRIVATE_KEY, base64.encodeToString(Files.readAllBytes(tls.resolve("lab-operator.key"))),
                RouterTls.CA, base64.encodeToString(firstCa)));
        assertThat(credentials.toString()).isEqualTo("RouterTls[kube-system/rt-01-api@1]");
    }

    private static X509Certificate certificate(Path file) throws IOException, java.security.cert.CertificateException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
