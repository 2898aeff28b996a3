package dev.hookguard.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy to a database that can be frozen: while frozen it accepts connections and reads what clients send, but
 * passes nothing on either way, as a server whose disk stalled or whose processes stopped. Clients see neither a
 * refusal nor an answer (a cancel request sent to it hangs too). Only this test's connections freeze, not the shared
 * server.
 */
public final class FreezableProxy implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private volatile boolean frozen;

    public FreezableProxy(int targetPort) throws IOException {
        server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    sockets.add(client);
                    waitWhileFrozen();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    sockets.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException | InterruptedException e) {
                    // closed
                }
            }
        }, "freezable-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** The proxy's port on loopback. */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code jdbcUrl} with its port replaced by the proxy's. */
    public String wrap(String jdbcUrl) {
        return jdbcUrl.replaceFirst("//([^/:]+):\\d+/", "//127.0.0.1:" + port() + "/");
    }

    public void freeze() {
        frozen = true;
    }

    public void thaw() {
        synchronized (gate) {
            frozen = false;
            gate.notifyAll();
        }
    }

    private void waitWhileFrozen() throws InterruptedException {
        synchronized (gate) {
            while (frozen) {
                gate.wait();
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread pump = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    waitWhileFrozen();
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // a side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "freezable-proxy-pump");
        pump.setDaemon(true);
        pump.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        thaw();
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
