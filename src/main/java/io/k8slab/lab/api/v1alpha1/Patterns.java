package io.k8slab.lab.api.v1alpha1;

/**
 * Regular expressions shared by the custom resources' OpenAPI schemas.
 *
 * <p>They are patterns rather than OpenAPI {@code format}s because the API servers the lab meets (1.20 in the
 * tests, current ones in the lab) validate patterns the same way everywhere. They are the first gate only: the
 * operator re-validates semantically (overlaps, prefix lengths) before it acts.
 */
public final class Patterns {

    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final String IPV4_BODY = "(" + OCTET + "\\.){3}" + OCTET;
    private static final String PREFIX_LENGTH = "(3[0-2]|[12]?[0-9])";

    /** A dotted-quad IPv4 address. */
    public static final String IPV4 = "^" + IPV4_BODY + "$";
    /** An IPv4 CIDR such as {@code 10.244.0.0/16}. */
    public static final String IPV4_CIDR = "^" + IPV4_BODY + "/" + PREFIX_LENGTH + "$";
    /** MetalLB's address forms: an IPv4 CIDR, or a range {@code a.b.c.d-e.f.g.h}. */
    public static final String IPV4_CIDR_OR_RANGE = "^" + IPV4_BODY + "(/" + PREFIX_LENGTH + "|-" + IPV4_BODY + ")$";
    /** {@code host:port}, the host being a DNS name or an IPv4 address. */
    public static final String HOST_PORT = "^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:[0-9]{1,5}$";
    /** An RFC 1123 DNS subdomain, as Kubernetes requires for Node names. */
    public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    /** A label value: at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending alphanumeric. */
    public static final String LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";
    /** A Go duration as MetalLB and kubeadm parse it, restricted to h, m, s and ms units: {@code 90s}, {@code 1h30m}. */
    public static final String DURATION = "^([0-9]+(\\.[0-9]+)?(h|m|s|ms))+$";
    /** A Kubernetes version such as {@code v1.30.2} or {@code 1.30}. */
    public static final String KUBERNETES_VERSION = "^v?[0-9]+\\.[0-9]+(\\.[0-9]+)?$";
    /** A BGP community {@code asn:value} (each 16 bits, checked by the operator) or a name from the spec's map. */
    public static final String COMMUNITY = "^([0-9]{1,5}:[0-9]{1,5}|[A-Za-z0-9][-A-Za-z0-9_.]*)$";

    /** The largest 4-byte AS number (RFC 6793). */
    public static final long MAX_ASN = 4294967295L;

    private Patterns() {
    }
}
