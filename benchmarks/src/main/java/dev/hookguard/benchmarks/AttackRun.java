package dev.hookguard.benchmarks;

import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Replays issue 15's two resource attacks against a running receiver (the sample PMS, say) and reports what they
 * cost it, measured against its own state just before the attack:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.hookguard.benchmarks.AttackRun \
 *     http://127.0.0.1:8080 PID declared 190 20 USER PASSWORD MAUTIC_SECRET
 * </pre>
 *
 * {@code declared}: N connections each declare a 5 MiB body and send one byte, then idle; reports the receiver's
 * RSS before and at its peak. {@code slow}: N connections send one body byte every 5 s; every second a logged-in
 * page and a validly signed Mautic delivery are timed; reports the slowest of each and how many failed.
 */
public final class AttackRun {

    private AttackRun() {
    }

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        long pid = Long.parseLong(args[1]);
        String mode = args[2];
        int connections = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        String basic = "Basic " + Base64.getEncoder().encodeToString((args[5] + ":" + args[6]).getBytes(StandardCharsets.UTF_8));
        String secret = args[7];

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long rssBefore = rssKiB(pid);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket socket = new Socket(base.getHost(), base.getPort());
            sockets.add(socket);
            write(socket, ("POST /webhooks/mautic HTTP/1.1\r\nHost: " + base.getHost() + "\r\nContent-Type: application/json\r\n"
                    + "Webhook-Signature: Zm9yZ2Vk\r\nContent-Length: 5242880\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
        }
        long rssPeak = rssBefore;
        long slowestPage = 0;
        long slowestDelivery = 0;
        int failedPages = 0;
        int failedDeliveries = 0;
        int probes = 0;
        for (int second = 0; second < seconds; second++) {
            if (mode.equals("slow") && second % 5 == 4) {
                for (Socket socket : sockets) {
                    write(socket, new byte[] {' '});
                }
            }
            if (mode.equals("slow")) {
                probes++;
                long start = System.nanoTime();
                try {
                    HttpResponse<String> page = client.send(HttpRequest.newBuilder(base.resolve("/api/issues?size=1"))
                            .header("Authorization", basic).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    failedPages += page.statusCode() == 200 ? 0 : 1;
                } catch (IOException e) {
                    failedPages++;
                }
                slowestPage = Math.max(slowestPage, System.nanoTime() - start);
                start = System.nanoTime();
                boolean delivered = MauticSender.builder(base.resolve("/webhooks/mautic"), secret).requestTimeout(Duration.ofSeconds(10))
                        .build().sendImmediate(List.of(SampleEvents.of("mautic.form_on_submit", 70_000 + second))).allDelivered();
                failedDeliveries += delivered ? 0 : 1;
                slowestDelivery = Math.max(slowestDelivery, System.nanoTime() - start);
            }
            rssPeak = Math.max(rssPeak, rssKiB(pid));
            Thread.sleep(mode.equals("slow") ? 0 : 1_000);
            if (mode.equals("slow")) {
                Thread.sleep(Math.max(0, 1_000 - Duration.ofNanos(slowestPage).toMillis()));
            }
        }
        int stillOpen = 0;
        for (Socket socket : sockets) {
            stillOpen += socket.isClosed() ? 0 : 1;
            socket.close();
        }
        System.out.printf("mode=%s connections=%d seconds=%d%n", mode, connections, seconds);
        System.out.printf("rss_before_mib=%.1f rss_peak_mib=%.1f rss_growth_mib=%.1f%n", rssBefore / 1024.0, rssPeak / 1024.0,
                (rssPeak - rssBefore) / 1024.0);
        if (mode.equals("slow")) {
            System.out.printf("probes=%d slowest_page_ms=%d failed_pages=%d slowest_delivery_ms=%d failed_deliveries=%d%n", probes,
                    Duration.ofNanos(slowestPage).toMillis(), failedPages, Duration.ofNanos(slowestDelivery).toMillis(), failedDeliveries);
        }
    }

    private static void write(Socket socket, byte[] bytes) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
        } catch (IOException refusedAndClosed) {
            // the receiver answered 503/408 and closed this one: that is the defence working
        }
    }

    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }
}
