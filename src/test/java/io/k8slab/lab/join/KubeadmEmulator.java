package io.k8slab.lab.join;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
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
 * JoinConfiguration, fetch the server's certificate and check its public key against the pinned CA hashes
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

    public static Config parse(byte[] file) throws JoinError {
        try {
            JsonNode root = YAML.readTree(file);
            JsonNode bootstrap = root.path("discovery").path("bootstrapToken");
            List<String> hashes = new ArrayList<>();
            bootstrap.path("caCertHashes").forEach(h -> hashes.add(h.asText()));
            return new Config(root.path("apiVersion").asText(), bootstrap.path("apiServerEndpoint").asText(),
                    bootstrap.path("token").asText(), hashes, root.path("nodeRegistration").path("name").asText(),
                    root.path("nodeRegistration").path("kubeletExtraArgs").path("node-ip").asText());
        } catch (IOException e) {
            throw new JoinError("unable to read config from the file: " + e.getMessage());
        }
    }

    /** Discovery and preflight: the pinned CA and the token, checked against the API server. */
    public static void discover(Config config) throws JoinError {
        X509Certificate serverCa = serverCertificate(config.endpoint());
        String pin = "sha256:" + HexFormat.of().formatHex(sha256(serverCa.getPublicKey().getEncoded()));
        if (!config.caCertHashes().contains(pin)) {
            throw new JoinError("error execution phase preflight: couldn't validate the identity of the API Server: "
                    + "cluster CA found in cluster-info ConfigMap is invalid: none of the public keys \"" + pin + "\" are pinned");
        }
        int status = readKubeadmConfig(config.endpoint(), config.token(), serverCa);
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
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, factory.getTrustManagers(), null);
            HttpClient http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("https://" + endpoint + "/api/v1/namespaces/kube-system/configmaps/kubeadm-config"))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new JoinError("unable to reach the API server at " + endpoint + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JoinError("interrupted");
        }
    }

    /** The last certificate the server presents (its self-signed CA here), fetched without trusting it yet. */
    private static X509Certificate serverCertificate(String endpoint) throws JoinError {
        String[] hostPort = endpoint.split(":");
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] { new TrustAll() }, null);
            try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(hostPort[0], Integer.parseInt(hostPort[1]))) {
                socket.startHandshake();
                Certificate[] chain = socket.getSession().getPeerCertificates();
                return (X509Certificate) chain[chain.length - 1];
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new JoinError("unable to reach the API server at " + endpoint + ": " + e.getMessage());
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
