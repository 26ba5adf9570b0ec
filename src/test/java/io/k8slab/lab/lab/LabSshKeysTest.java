package io.k8slab.lab.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's SSH material, generated once on the host by deploy/lab/lab.rb (what the Vagrantfile does when it loads):
 * the operator's key pair (its private half goes into kube-system/lab-ssh, its public half is authorised on the
 * workers) and one host key per Kubernetes VM, listed in the Secret's known_hosts under the VM's name and address.
 * Read here with the SSH library the operator uses (Apache SSHD), the way it reads the Secret.
 */
class LabSshKeysTest {

    private static final Map<String, String> KUBERNETES_NODES = Map.of(
            "k8s-master-01", "172.17.0.10", "k8s-node-01", "172.17.0.21", "k8s-node-02", "172.17.0.22",
            "k8s-node-03", "172.17.0.23");

    @Test
    void keysAreGeneratedOnceAndReadableByTheOperatorsSshLibrary(@TempDir Path dir)
            throws IOException, GeneralSecurityException {
        Path generated = dir.resolve("generated");
        LabProcess.render("write", generated.toString());
        Map<String, byte[]> first = contents(generated);
        LabProcess.render("write", generated.toString());

        assertThat(contents(generated)).as("a second run changes nothing (keys are made once)")
                .containsOnlyKeys(first.keySet().toArray(String[]::new))
                .allSatisfy((file, bytes) -> assertThat(bytes).as(file).isEqualTo(first.get(file)));
        assertThat(Files.getPosixFilePermissions(generated.resolve("ssh/id_lab")))
                .as("the operator's private key").containsOnly(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        List<KeyPair> identities = new ArrayList<>();
        try (InputStream in = Files.newInputStream(generated.resolve("ssh/id_lab"))) {
            SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("ssh-privatekey"), in, null)
                    .forEach(identities::add);
        }
        assertThat(identities).hasSize(1);
        assertThat(KeyUtils.compareKeys(identities.get(0).getPublic(), publicKey(generated.resolve("ssh/id_lab.pub"))))
                .as("id_lab.pub is the public half of id_lab (what the workers authorise)").isTrue();

        List<KnownHostEntry> knownHosts = KnownHostEntry.readKnownHostEntries(
                new StringReader(Files.readString(generated.resolve("ssh/known_hosts"))), true);
        assertThat(knownHosts).hasSize(KUBERNETES_NODES.size());
        for (Map.Entry<String, String> node : KUBERNETES_NODES.entrySet()) {
            PublicKey hostKey = publicKey(generated.resolve("ssh/hosts/" + node.getKey() + "/ssh_host_ecdsa_key.pub"));
            for (String host : List.of(node.getKey(), node.getValue())) {
                List<KnownHostEntry> matching = knownHosts.stream().filter(e -> e.isHostMatch(host, 22)).toList();
                assertThat(matching).as("known_hosts entries for %s", host).hasSize(1);
                PublicKey listed = matching.get(0).getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
                assertThat(KeyUtils.compareKeys(listed, hostKey)).as("%s's host key in known_hosts", host).isTrue();
            }
        }
    }

    private static PublicKey publicKey(Path pub) throws IOException, GeneralSecurityException {
        return AuthorizedKeyEntry.parseAuthorizedKeyEntry(Files.readString(pub).trim())
                .resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
    }

    private static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        return files;
    }
}
