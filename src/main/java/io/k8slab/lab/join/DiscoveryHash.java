package io.k8slab.lab.join;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * kubeadm's {@code --discovery-token-ca-cert-hash}: {@code sha256:} and the hex SHA-256 of the CA certificate's
 * DER-encoded SubjectPublicKeyInfo, exactly as the certificate carries it (Go's {@code RawSubjectPublicKeyInfo}).
 * Pure.
 */
public final class DiscoveryHash {

    private static final int SEQUENCE = 0x30;
    private static final int EXPLICIT_VERSION = 0xA0;

    private DiscoveryHash() {
    }

    public static String of(X509Certificate certificate) {
        try {
            return of(certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot encode the CA certificate", e);
        }
    }

    /** The hash of a DER certificate. */
    public static String of(byte[] certificateDer) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(subjectPublicKeyInfo(certificateDer));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The hashes of every certificate in a PEM bundle (a CA bundle pins each of its CAs). */
    public static List<String> ofPem(String pem) {
        return certificates(pem).stream().map(DiscoveryHash::of).toList();
    }

    public static List<X509Certificate> certificates(String pem) {
        try {
            return CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
                    .map(X509Certificate.class::cast)
                    .toList();
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a PEM certificate bundle: " + e.getMessage(), e);
        }
    }

    /**
     * The SubjectPublicKeyInfo element, read straight from the DER rather than re-encoded from a parsed key, so
     * the bytes are the ones kubeadm hashes. Certificate = SEQUENCE { tbsCertificate SEQUENCE { [0] version
     * (optional), serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ... }, ... }.
     */
    static byte[] subjectPublicKeyInfo(byte[] der) {
        Der certificate = Der.at(der, 0, SEQUENCE);
        Der field = Der.at(der, certificate.contentStart(), SEQUENCE).firstChild(der);
        if ((der[field.start()] & 0xFF) == EXPLICIT_VERSION) {
            field = field.next(der);
        }
        for (int skip = 0; skip < 5; skip++) { // serialNumber, signature, issuer, validity, subject
            field = field.next(der);
        }
        if ((der[field.start()] & 0xFF) != SEQUENCE) {
            throw new IllegalArgumentException("malformed certificate: no SubjectPublicKeyInfo where expected");
        }
        return Arrays.copyOfRange(der, field.start(), field.end());
    }

    /** One DER element: where its tag is, where its content starts and where it ends. */
    private record Der(int start, int contentStart, int end) {

        static Der at(byte[] der, int start, int expectedTag) {
            Der element = at(der, start);
            if ((der[start] & 0xFF) != expectedTag) {
                throw new IllegalArgumentException("malformed certificate: unexpected DER tag at offset " + start);
            }
            return element;
        }

        static Der at(byte[] der, int start) {
            if (start + 2 > der.length) {
                throw new IllegalArgumentException("malformed certificate: truncated at offset " + start);
            }
            int first = der[start + 1] & 0xFF;
            int length;
            int contentStart;
            if (first < 0x80) {
                length = first;
                contentStart = start + 2;
            } else {
                int octets = first & 0x7F;
                if (octets == 0 || octets > 4 || start + 2 + octets > der.length) {
                    throw new IllegalArgumentException("malformed certificate: bad DER length at offset " + start);
                }
                length = 0;
                for (int i = 0; i < octets; i++) {
                    length = (length << 8) | (der[start + 2 + i] & 0xFF);
                }
                contentStart = start + 2 + octets;
            }
            if (length < 0 || contentStart + length > der.length) {
                throw new IllegalArgumentException("malformed certificate: DER element overruns at offset " + start);
            }
            return new Der(start, contentStart, contentStart + length);
        }

        Der firstChild(byte[] der) {
            return at(der, contentStart);
        }

        Der next(byte[] der) {
            return at(der, end);
        }
    }
}
