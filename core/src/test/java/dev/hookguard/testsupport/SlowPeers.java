package dev.hookguard.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Strangers on raw sockets that declare a 5 MiB webhook body with a forged signature, send its first byte and
 * then a byte only when told: the attack of slow, huge bodies, for the adapters' tests on real servers.
 */
public final class SlowPeers implements AutoCloseable {

    private final List<Socket> sockets = new ArrayList<>();

    private SlowPeers() {
    }

    /** Opens {@code count} connections to {@code port} and starts a body on {@code path} on each. */
    public static SlowPeers open(int port, String path, int count) throws IOException {
        SlowPeers peers = new SlowPeers();
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            peers.sockets.add(socket);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Webhook-Signature: Zm9yZ2Vk\r\nContent-Length: 5242880\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        return peers;
    }

    /** One more body byte from every peer still connected. */
    public void trickle() {
        for (Socket socket : sockets) {
            try {
                socket.getOutputStream().write(' ');
                socket.getOutputStream().flush();
            } catch (IOException refusedAndClosed) {
                // the server answered and closed this one: the defence at work
            }
        }
    }

    @Override
    public void close() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
