package io.k8slab.lab.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.k8slab.lab.router.gobgp.GobgpRouterClient;

/** A router API that is not there, or does not answer, on the test machine's loopback only. */
class GobgpRouterClientUnreachableTest {

    @Test
    void nothingListeningFailsFastWithRouterUnreachable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // free now: nothing listens there any more
        }
        String endpoint = "127.0.0.1:" + port;
        try (GobgpRouterClient client = GobgpRouterClient.connect(endpoint, Duration.ofSeconds(2))) {
            for (int attempt = 0; attempt < 3; attempt++) { // and again, past grpc-java's reconnect back-off
                Instant start = Instant.now();
                assertThatThrownBy(client::listPeers)
                        .isExactlyInstanceOf(RouterUnreachableException.class)
                        .hasMessageStartingWith("router API " + endpoint + " is unreachable (ListPeer): UNAVAILABLE")
                        .satisfies(e -> {
                            assertThat(e.getStackTrace()).isEmpty();
                            assertThat(e.getCause()).isNull();
                            assertThat(((RouterException) e).router()).isEqualTo(endpoint);
                        });
                assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(1));
            }
        }
    }

    @Test
    void aRouterThatNeverAnswersFailsAtTheDeadline() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // accepts, reads nothing, answers nothing
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String endpoint = "127.0.0.1:" + silent.getLocalPort();
            try (GobgpRouterClient client = GobgpRouterClient.connect(endpoint, Duration.ofMillis(500))) {
                Instant start = Instant.now();
                assertThatThrownBy(() -> client.listRoutes())
                        .isExactlyInstanceOf(RouterUnreachableException.class)
                        .hasMessage("router API " + endpoint + " did not answer ListPath within 500 ms");
                assertThat(Duration.between(start, Instant.now())).isBetween(Duration.ofMillis(400), Duration.ofSeconds(2));
            }
        } finally {
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void rejectsEndpointsThatAreNotHostPort() {
        for (String endpoint : List.of("", "127.0.0.1:", ":50051", "127.0.0.1:0", "127.0.0.1:70000", "rt-01:http")) {
            assertThatThrownBy(() -> GobgpRouterClient.connect(endpoint)).as(endpoint)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        GobgpRouterClient.connect("rt-01").close(); // a bare host means gobgpd's default port
        assertThatThrownBy(() -> GobgpRouterClient.connect("127.0.0.1:50051", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
