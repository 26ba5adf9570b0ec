package io.k8slab.lab.router;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Makes a TCP port inside a test-created network namespace (on its loopback, or on an address that exists only
 * there) reachable from the test process's loopback.
 *
 * <p>Why a relay, not a veth into the root namespace: the test process lives in the root namespace, which the
 * machine (and other tests running at the same time) share. A relay changes nothing there: the test's traffic only
 * ever goes to 127.0.0.1, and on the far side only to 127.0.0.1 inside the namespace the test created. gobgpd 3 can
 * serve its API on TCP only (no unix socket), so something has to cross the namespace boundary; here it is one
 * {@code ip netns exec <ns> socat STDIO TCP4:<host>:<port>} per accepted connection, so a connection to the relay
 * behaves like one to the daemon: when the daemon is down the connection is closed at once.
 */
final class NamespaceRelay implements AutoCloseable {

    private final String namespace;
    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    NamespaceRelay(String namespace, String targetHost, int targetPort) {
        this.namespace = namespace;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on the loopback for the relay to " + namespace, e);
        }
        acceptor = new Thread(this::acceptLoop, "relay-" + namespace);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The loopback endpoint, 127.0.0.1:port. */
    String endpoint() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                // No Nagle on either leg, as on a direct connection (gRPC and haproxy turn it off): with it, a reply
                // written in pieces waited for the peer's delayed ACK, some 40 ms a call.
                client.setTcpNoDelay(true);
                Process process = new ProcessBuilder("ip", "netns", "exec", namespace, "socat", "-t", "1", "STDIO",
                        "TCP4:" + targetHost + ":" + targetPort + ",nodelay").redirectError(ProcessBuilder.Redirect.DISCARD).start();
                Connection connection = new Connection(client, process);
                connections.add(connection);
                connection.start();
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private final class Connection {
        private final Socket client;
        private final Process process;

        Connection(Socket client, Process process) {
            this.client = client;
            this.process = process;
        }

        void start() throws IOException {
            InputStream fromClient = client.getInputStream();
            OutputStream toClient = client.getOutputStream();
            pump(fromClient, process.getOutputStream(), () -> closeQuietly(process.getOutputStream()));
            pump(process.getInputStream(), toClient, this::close);
        }

        void close() {
            closeQuietly(client);
            process.destroy();
            connections.remove(this);
        }
    }

    private void pump(InputStream in, OutputStream out, Runnable atEnd) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // One side went away; atEnd closes the rest.
            } finally {
                atEnd.run();
            }
        }, "relay-pump-" + namespace);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing left to do
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (Connection connection : connections) {
            connection.close();
        }
        for (Connection connection : connections) {
            connection.process.destroyForcibly();
        }
    }
}
