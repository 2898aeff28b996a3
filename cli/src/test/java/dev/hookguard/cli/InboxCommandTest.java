package dev.hookguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.Delivery;
import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hookguard inbox list | show | replay | purge, against an H2 file an application's inbox wrote. */
class InboxCommandTest {

    private static final String SECRET = "cli-inbox-secret";

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        HookguardCli.Environment environment = new HookguardCli.Environment(Map.<String, String>of()::get, new ByteArrayInputStream(new byte[0]), false);
        int exit = HookguardCli.commandLine(environment, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void listShowReplayAndPurgeWhatTheApplicationsInboxHolds() throws Exception {
        String url = "jdbc:h2:retry:" + dir.resolve("app").toAbsolutePath();
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(url);
        h2.setUser("sa");
        JdbcInbox inbox = JdbcInbox.builder(h2).maxAttempts(1).pollInterval(Duration.ofMillis(20)).build();
        inbox.initializeSchema();
        WebhookEndpoint<MauticBatch> failing = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, f -> {
            throw new IllegalStateException("broken handler");
        }).inbox(inbox).build();
        byte[] body = MauticSender.queueBody(SampleEvents.of("mautic.form_on_submit", 1, 2));
        failing.process(new Delivery("POST", Headers.of("Webhook-Signature", WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body)), body, "x"));
        inbox.start(failing);
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (inbox.counts().dead() < 2 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        inbox.stop(Duration.ofSeconds(1));

        String[] db = {"--jdbc-url", url, "--user", "sa"};
        Result list = run(concat(new String[] {"inbox", "list"}, db));
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains("dead 2").contains("mautic:form_on_submit:").contains("java.lang.IllegalStateException: broken handler");
        String key = list.out().lines().filter(l -> l.contains("mautic:form_on_submit:")).findFirst().orElseThrow().split("\\s+")[4];

        Result show = run(concat(new String[] {"inbox", "show", key}, db));
        assertThat(show.out()).contains("state:        DEAD, 1 attempt(s)").contains(" bytes (--body prints it)").doesNotContain("submission");

        Result replay = run(concat(new String[] {"inbox", "replay", "--all-dead"}, db));
        assertThat(replay.exit()).isZero();
        assertThat(replay.out()).contains("2 replayed");
        assertThat(run(concat(new String[] {"inbox", "list", "--state", "pending"}, db)).out()).contains("pending 2");

        assertThat(run(concat(new String[] {"inbox", "purge", "--older-than-days", "1"}, db)).out()).contains("0 purged");
        assertThat(run(concat(new String[] {"inbox", "replay"}, db)).exit()).isEqualTo(2);
    }

    @Test
    void errorsNameTheirRealCauseAndExitOneWithoutUsageTextWhileAUsageErrorExitsTwo() throws Exception {
        // Nothing listens on this port: the CLI says so, not "H2 needs admin rights".
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Result refused = run("inbox", "list", "--jdbc-url", "jdbc:postgresql://127.0.0.1:" + closed + "/app");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("connection refused").doesNotContain("admin rights").doesNotContain("Usage:");

        String url = "jdbc:h2:retry:" + dir.resolve("empty").toAbsolutePath();
        Result noTable = run("inbox", "list", "--jdbc-url", url, "--user", "sa");
        assertThat(noTable.exit()).isEqualTo(1);
        assertThat(noTable.err()).contains("the inbox table does not exist").doesNotContain("Usage:");

        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(url);
        h2.setUser("sa");
        JdbcInbox.builder(h2).build().initializeSchema();
        Result wrongPassword = run("inbox", "list", "--jdbc-url", url, "--user", "sa", "--password", "wrong");
        assertThat(wrongPassword.exit()).isEqualTo(1);
        assertThat(wrongPassword.err()).contains("authentication failed");

        Result missing = run("inbox", "show", "no-such-key", "--jdbc-url", url, "--user", "sa");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("no inbox row no-such-key").doesNotContain("Usage:");

        Result usage = run("inbox", "list", "--state", "finished", "--jdbc-url", url, "--user", "sa");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).contains("--state is pending, running, done or dead");
    }

    @Test
    void listPagesThroughMoreRowsThanOnePageNewestFirst() throws Exception {
        String url = "jdbc:h2:retry:" + dir.resolve("many").toAbsolutePath();
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(url);
        h2.setUser("sa");
        JdbcInbox inbox = JdbcInbox.builder(h2).build();
        inbox.initializeSchema();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, f -> { }).inbox(inbox).build();
        for (int first = 1; first <= InboxCommand.PAGE + 200; first += 10) {
            byte[] body = MauticSender.queueBody(SampleEvents.of("mautic.form_on_submit", first, 10));
            assertThat(endpoint.process(new Delivery("POST", Headers.of("Webhook-Signature", WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body)),
                    body, "x")).status()).isEqualTo(202);
        }
        Result list = run("inbox", "list", "--state", "pending", "--limit", "100000", "--jdbc-url", url, "--user", "sa");
        List<String> keys = list.out().lines().filter(l -> l.startsWith("mautic")).map(l -> l.split("\\s+")[4]).toList();
        assertThat(keys).hasSize(InboxCommand.PAGE + 200).doesNotHaveDuplicates();
        assertThat(keys.get(0)).as("newest first").isEqualTo("mautic:form_on_submit:" + (20000 + InboxCommand.PAGE + 200));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
