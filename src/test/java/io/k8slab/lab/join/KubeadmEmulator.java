package io.k8slab.lab.join;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.k8slab.lab.testing.Nodes;
import io.k8slab.lab.testing.TestCluster;

/**
 * What {@code kubeadm join --config <file>} does to the API server, for the test machines: read the
 * JoinConfiguration, fetch cluster-info and check its CA's public key against the pinned CA hashes
 * (computed here independently of the operator's code), read {@code kube-system/kubeadm-config} authenticated as
 * the bootstrap token (the API server rejects a wrong token: 401) and, at the end of the join, register the Node
 * with its address and a Ready condition, as the kubelet would once TLS bootstrap is done.
 */
public final class KubeadmEmulator {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** A failed join, with the message kubeadm would print on stderr. */
    public static final class JoinError extends Exception {
        JoinError(String message) {
            super(message);
        }
    }

    /** What the JoinConfiguration said. */
    public record Config(String apiVersion, String endpoint, String token, List<String> caCertHashes, String nodeName, String nodeIp) {
    }

    private KubeadmEmulator() {
    }

    /** The JoinConfiguration as any kubeadm that reads its apiVersion would decode it (field tables of {@link KubeadmTypes}). */
    public static Config parse(byte[] file) throws JoinError {
        JsonNode root;
        try {
            root = YAML.readTree(file);
        } catch (IOException e) {
            throw new JoinError("unable to read config from the file: " + e.getMessage());
        }
        String apiVersion = root.path("apiVersion").asText();
        if (!apiVersion.startsWith("kubeadm.k8s.io/")) {
            throw new JoinError("unable to read config: no apiVersion kubeadm.k8s.io/... in the file");
        }
        List<String> problems = KubeadmTypes.of(apiVersion.substring("kubeadm.k8s.io/".length())).problems(root);
        if (!problems.isEmpty()) {
            throw new JoinError("error converting YAML to JSON for " + apiVersion + ": " + String.join("; ", problems));
        }
        JsonNode bootstrap = root.path("discovery").path("bootstrapToken");
        List<String> hashes = new ArrayList<>();
        bootstrap.path("caCertHashes").forEach(h -> hashes.add(h.asText()));
        JsonNode extraArgs = root.path("nodeRegistration").path("kubeletExtraArgs");
        String nodeIp = extraArgs.path("node-ip").asText();
        for (JsonNode arg : extraArgs.isArray() ? extraArgs : List.<JsonNode>of()) {
            if ("node-ip".equals(arg.path("name").asText())) {
                nodeIp = arg.path("value").asText();
            }
        }
        return new Config(apiVersion, bootstrap.path("apiServerEndpoint").asText(), bootstrap.path("token").asText(), hashes,
                root.path("nodeRegistration").path("name").asText(), nodeIp);
    }

    /**
     * As {@link #parse(byte[])}, for a kubeadm of {@code kubeadmVersion}: it reads v1beta2 up to 1.26, v1beta3 from
     * 1.22 and v1beta4 from 1.31, and refuses the others as kubeadm's scheme does.
     */
    public static Config parse(byte[] file, String kubeadmVersion) throws JoinError {
        Config config = parse(file);
        java.util.regex.Matcher version = java.util.regex.Pattern.compile("^v?1\\.(\\d+)").matcher(kubeadmVersion);
        int minor = version.find() ? Integer.parseInt(version.group(1)) : Integer.MAX_VALUE;
        boolean reads = switch (config.apiVersion()) {
            case "kubeadm.k8s.io/v1beta2" -> minor <= 26;
            case "kubeadm.k8s.io/v1beta3" -> minor >= 22;
            case "kubeadm.k8s.io/v1beta4" -> minor >= 31;
            default -> false;
        };
        if (!reads) {
            throw new JoinError("no kind \"JoinConfiguration\" is registered for version \"" + config.apiVersion()
                    + "\" in scheme (kubeadm " + kubeadmVersion + ")");
        }
        return config;
    }

    /**
     * Discovery and preflight as kubeadm's token discovery does them: fetch cluster-info without trusting the
     * server yet, check its CA against the pinned hashes, then read kubeadm-config as the bootstrap token over TLS
     * that this CA must validate.
     */
    public static void discover(Config config) throws JoinError {
        X509Certificate clusterCa = clusterInfoCa(config.endpoint());
        String pin = "sha256:" + HexFormat.of().formatHex(sha256(clusterCa.getPublicKey().getEncoded()));
        if (!config.caCertHashes().contains(pin)) {
            throw new JoinError("error execution phase preflight: couldn't validate the identity of the API Server: "
                    + "cluster CA found in cluster-info ConfigMap is invalid: none of the public keys \"" + pin + "\" are pinned");
        }
        int status = readKubeadmConfig(config.endpoint(), config.token(), clusterCa);
        if (status != 200) {
            throw new JoinError("error execution phase preflight: unable to fetch the kubeadm-config ConfigMap: "
                    + (status == 401 ? "Unauthorized" : status == 403 ? "Forbidden" : "HTTP " + status));
        }
    }

    /** What the kubelet does once kubeadm started it: register the Node, Ready, at its node-ip. */
    public static void register(Config config, String kubeletVersion) {
        Nodes.registerReady(TestCluster.get().client(), config.nodeName(), config.nodeIp(), kubeletVersion);
    }

    /** GET kube-system/configmaps/kubeadm-config as the bootstrap token, trusting only {@code ca}; the HTTP status. */
    public static int readKubeadmConfig(String endpoint, String token, X509Certificate ca) throws JoinError {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            HttpResponse<String> response = get(endpoint, "/api/v1/namespaces/kube-system/configmaps/kubeadm-config", factory.getTrustManagers(), token);
            return response.statusCode();
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new JoinError("unable to reach the API server at " + endpoint + ": " + e.getMessage());
        }
    }

    /** The CA in kube-public/cluster-info, read anonymously without verifying the server (it is verified against the pins next). */
    private static X509Certificate clusterInfoCa(String endpoint) throws JoinError {
        try {
            HttpResponse<String> response = get(endpoint, "/api/v1/namespaces/kube-public/configmaps/cluster-info", new TrustManager[] { new TrustAll() }, null);
            if (response.statusCode() != 200) {
                throw new JoinError("error execution phase preflight: couldn't validate the identity of the API Server: "
                        + "unable to fetch the cluster-info ConfigMap: HTTP " + response.statusCode());
            }
            String kubeconfig = YAML.readTree(response.body()).path("data").path("kubeconfig").asText();
            String pem = ClusterDiscovery.caFromKubeconfig(kubeconfig)
                    .orElseThrow(() -> new JoinError("error execution phase preflight: cluster-info holds no CA"));
            return DiscoveryHash.certificates(pem).get(0);
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new JoinError("unable to reach the API server at " + endpoint + ": " + e.getMessage());
        }
    }

    private static HttpResponse<String> get(String endpoint, String path, TrustManager[] trust, String token)
            throws java.security.GeneralSecurityException, IOException, JoinError {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust, null);
        HttpClient http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://" + endpoint + path)).timeout(Duration.ofSeconds(10)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JoinError("interrupted");
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
