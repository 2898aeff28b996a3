package dev.hookguard.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy that passes on every byte a fixed time after it arrived, each way: a database one network hop away
 * (a round trip costs twice the delay), on a machine where the benchmark can only reach it over loopback. A delay,
 * not a bandwidth limit: bytes that arrive together leave together.
 */
final class DelayProxy implements AutoCloseable {

    private static final byte[] END = new byte[0];

    private record Chunk(long arrivedNanos, byte[] bytes) {
    }

    private final ServerSocket server;
    private final long delayNanos;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    DelayProxy(int targetPort, long delayMicros) throws IOException {
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        this.delayNanos = delayMicros * 1_000;
        Thread accept = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    for (Socket s : List.of(client, upstream)) {
                        s.setTcpNoDelay(true);
                        sockets.add(s);
                    }
                    pipe(client, upstream);
                    pipe(upstream, client);
                } catch (IOException e) {
                    // closed, or the target refused: the client sees its connection fail
                }
            }
        }, "delay-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** This URL with its port replaced by the proxy's. */
    String wrap(String jdbcUrl) {
        return jdbcUrl.replaceFirst("//([^/:]+):\\d+/", "//$1:" + port() + "/");
    }

    static int port(String jdbcUrl) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("//[^/:]+:(\\d+)/").matcher(jdbcUrl);
        if (!m.find()) {
            throw new IllegalArgumentException("no port in the URL");
        }
        return Integer.parseInt(m.group(1));
    }

    private void pipe(Socket from, Socket to) {
        BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[64 << 10];
            try (InputStream in = from.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    queue.add(new Chunk(System.nanoTime(), Arrays.copyOf(buffer, n)));
                }
            } catch (IOException e) {
                // closed
            }
            queue.add(new Chunk(System.nanoTime(), END));
        }, "delay-proxy-read");
        Thread writer = new Thread(() -> {
            try (OutputStream out = to.getOutputStream()) {
                while (true) {
                    Chunk chunk = queue.take();
                    long wait;
                    while ((wait = chunk.arrivedNanos() + delayNanos - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    if (chunk.bytes() == END) {
                        to.shutdownOutput();
                        return;
                    }
                    out.write(chunk.bytes());
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // closed
            }
        }, "delay-proxy-write");
        for (Thread t : List.of(reader, writer)) {
            t.setDaemon(true);
            t.start();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
