package io.k8slab.lab.router;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the operator needs to speak TLS to a router's API and be let in: its client certificate chain and private key,
 * and the CA certificates the router's own certificate must chain to. Read from a Secret of type
 * {@code kubernetes.io/tls} with an extra key {@code ca.crt} (the layout cert-manager writes).
 *
 * <p>The key material never leaves this object except to the TLS stack: {@link #toString} and every message name the
 * Secret ({@link #source}) and the key, never a byte of its content.
 *
 * @param source the Secret, {@code namespace/name}, for messages
 * @param version changes whenever the content may have changed (the Secret's resourceVersion): a new version means
 *        a new connection
 */
public record RouterTls(String source, String version, byte[] certificateChain, byte[] privateKey, byte[] trustedCertificates) {

    public static final String CERTIFICATE = "tls.crt";
    public static final String PRIVATE_KEY = "tls.key";
    public static final String CA = "ca.crt";

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    /**
     * The credentials in a Secret's {@code data} (base64, as the API returns it), checked so that a bad Secret is
     * reported by key name now rather than as a TLS failure later.
     *
     * @throws RouterException naming the Secret and the key that is missing or unusable
     */
    public static RouterTls fromSecretData(String router, String source, String version, Map<String, String> data) {
        byte[] chain = decoded(router, source, data, CERTIFICATE);
        byte[] key = decoded(router, source, data, PRIVATE_KEY);
        byte[] ca = decoded(router, source, data, CA);
        checkCertificates(router, source, CERTIFICATE, chain);
        checkCertificates(router, source, CA, ca);
        checkPrivateKey(router, source, key);
        return new RouterTls(source, version, chain, key, ca);
    }

    private static byte[] decoded(String router, String source, Map<String, String> data, String key) {
        String value = data == null ? null : data.get(key);
        if (value == null || value.isEmpty()) {
            throw problem(router, source, "has no '" + key + "'");
        }
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw problem(router, source, "'" + key + "' is not base64");
        }
    }

    private static void checkCertificates(String router, String source, String key, byte[] pem) {
        try {
            if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).isEmpty()) {
                throw problem(router, source, "'" + key + "' holds no PEM certificate");
            }
        } catch (CertificateException e) {
            throw problem(router, source, "'" + key + "' is not a PEM certificate");
        }
    }

    /** netty reads PKCS#8 keys only: a PKCS#1 or SEC1 key would fail at the handshake with a vaguer message. */
    private static void checkPrivateKey(String router, String source, byte[] pem) {
        Matcher matcher = PKCS8.matcher(new String(pem, StandardCharsets.US_ASCII));
        if (!matcher.find()) {
            throw problem(router, source, "'" + PRIVATE_KEY + "' is not an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY); "
                    + "convert it with `openssl pkcs8 -topk8 -nocrypt`");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(matcher.group(1));
        } catch (IllegalArgumentException e) {
            throw problem(router, source, "'" + PRIVATE_KEY + "' is not valid PEM");
        }
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                return;
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw problem(router, source, "'" + PRIVATE_KEY + "' is not an RSA, EC or Ed25519 private key");
    }

    private static RouterException problem(String router, String source, String what) {
        return new RouterTlsException(router, "router API " + router + ": TLS Secret " + source + " " + what);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RouterTls tls && source.equals(tls.source) && version.equals(tls.version);
    }

    @Override
    public int hashCode() {
        return source.hashCode() * 31 + version.hashCode();
    }

    @Override
    public String toString() {
        return "RouterTls[" + source + "@" + version + "]";
    }
}
