package dev.hookguard.servlet;

import dev.hookguard.testsupport.TestH2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.Context;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's two {@code web.xml} blocks, as pasted, in a web application on Tomcat 11 and on Jetty 12: the direct
 * one in front of the user's own servlet, the inbox one with the README's {@code FormIntake} and a JNDI DataSource.
 * The secrets come from {@code HOOKGUARD_MAUTIC_SECRETS}, set for this module's tests, as the blocks say.
 */
class ReadmeWebXmlTest {

    private static final String SECRET = "readme-web-xml-secret";

    @TempDir
    Path dir;

    /** The user's own servlet behind the direct block's filter. */
    public static final class ApplicationServlet extends HttpServlet {
        static final AtomicInteger FORMS = new AtomicInteger();

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) {
            FORMS.addAndGet(WebhookRequests.mauticBatch(request).eventsOf(FormSubmitted.class).size());
            response.setStatus(204);
        }
    }

    @BeforeEach
    void naming() {
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, WebXmlInboxTest.Naming.class.getName());
        JdbcDataSource h2 = TestH2.file(dir.resolve("inbox"));
        WebXmlInboxTest.JNDI.put("java:comp/env/jdbc/hookguard", h2);
        ApplicationServlet.FORMS.set(0);
    }

    @AfterEach
    void clearNaming() {
        System.clearProperty(Context.INITIAL_CONTEXT_FACTORY);
        WebXmlInboxTest.JNDI.clear();
    }

    static List<String> readmeFilterBlocks() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        Matcher block = Pattern.compile("```xml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        List<String> blocks = new ArrayList<>();
        while (block.find()) {
            if (block.group(1).contains("<filter-class>dev.hookguard.servlet.WebhookVerificationFilter</filter-class>")) {
                blocks.add(block.group(1));
            }
        }
        assertThat(blocks).as("the direct and the inbox web.xml blocks").hasSize(2);
        return blocks;
    }

    static String readmeHandler() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        Matcher block = Pattern.compile("```java\\n(import dev.hookguard.delivery.WebhookHandler;.*?public final class FormIntake.*?)```", Pattern.DOTALL)
                .matcher(readme);
        assertThat(block.find()).as("the README's FormIntake").isTrue();
        return block.group(1);
    }

    /** A web application whose web.xml is the README's block, with the user's servlet when the block has none. */
    private Path webapp(String block, boolean withApplicationServlet) throws Exception {
        Path app = Files.createDirectories(dir.resolve("webapp-" + System.nanoTime()));
        Files.createDirectories(app.resolve("WEB-INF"));
        String servlet = withApplicationServlet ? """
                <servlet>
                  <servlet-name>application</servlet-name>
                  <servlet-class>%s</servlet-class>
                  <async-supported>true</async-supported>
                </servlet>
                <servlet-mapping>
                  <servlet-name>application</servlet-name>
                  <url-pattern>/webhooks/mautic</url-pattern>
                </servlet-mapping>
                """.formatted(ApplicationServlet.class.getName()) : "";
        Files.writeString(app.resolve("WEB-INF/web.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                %s
                %s
                </web-app>
                """.formatted(block, servlet));
        return app;
    }

    private interface Container extends AutoCloseable {
        URI uri(String path);
    }

    private Container tomcat(Path webapp) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createDirectories(dir.resolve("tomcat-" + System.nanoTime())).toString());
        tomcat.setPort(0);
        tomcat.getConnector();
        tomcat.addWebapp("", webapp.toString()).setParentClassLoader(getClass().getClassLoader());
        tomcat.start();
        int port = tomcat.getConnector().getLocalPort();
        return new Container() {
            @Override
            public URI uri(String path) {
                return URI.create("http://127.0.0.1:" + port + path);
            }

            @Override
            public void close() throws Exception {
                tomcat.stop();
                tomcat.destroy();
            }
        };
    }

    private Container jetty(Path webapp) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(0);
        server.addConnector(connector);
        WebAppContext context = new WebAppContext(webapp.toString(), "/");
        context.setParentLoaderPriority(true);
        context.setThrowUnavailableOnStartupException(true);
        server.setHandler(context);
        server.start();
        return new Container() {
            @Override
            public URI uri(String path) {
                return URI.create("http://127.0.0.1:" + connector.getLocalPort() + path);
            }

            @Override
            public void close() throws Exception {
                server.stop();
            }
        };
    }

    @Test
    void theReadmesHandlerIsTheOneThisTestDeploys() throws Exception {
        String deployed = Files.readString(Path.of("src/test/java/com/example/FormIntake.java"), StandardCharsets.UTF_8);
        String printed = readmeHandler();
        assertThat(deployed.replaceAll("(?s)^package com.example;\\s*", "").replaceAll("(?s)/\\*\\*.*?\\*/\\s*", "").strip())
                .isEqualTo(printed.strip());
    }

    @Test
    void theDirectBlockOnTomcat11VerifiesInFrontOfTheApplicationsServlet() throws Exception {
        try (Container tomcat = tomcat(webapp(readmeFilterBlocks().get(0), true))) {
            assertDirect(tomcat);
        }
    }

    @Test
    void theDirectBlockOnJetty12VerifiesInFrontOfTheApplicationsServlet() throws Exception {
        try (Container jetty = jetty(webapp(readmeFilterBlocks().get(0), true))) {
            assertDirect(jetty);
        }
    }

    @Test
    void theInboxBlockOnTomcat11StoresAndHandlesEveryDelivery() throws Exception {
        try (Container tomcat = tomcat(webapp(readmeFilterBlocks().get(1), false))) {
            assertInbox(tomcat, 100);
        }
    }

    @Test
    void theInboxBlockOnJetty12StoresAndHandlesEveryDelivery() throws Exception {
        try (Container jetty = jetty(webapp(readmeFilterBlocks().get(1), false))) {
            assertInbox(jetty, 200);
        }
    }

    private static void assertDirect(Container container) {
        SendReport report = MauticSender.builder(container.uri("/webhooks/mautic"), SECRET).build()
                .sendImmediate(SampleEvents.of("mautic.form_on_submit", 10, 3));
        assertThat(report.attempts()).extracting(a -> a.status()).containsOnly(204);
        assertThat(ApplicationServlet.FORMS.get()).isEqualTo(3);
        assertThat(MauticSender.builder(container.uri("/webhooks/mautic"), "not-the-secret").build()
                .sendImmediate(SampleEvents.of("mautic.form_on_submit", 20, 1)).attempts().get(0).status()).isEqualTo(401);
        assertThat(ApplicationServlet.FORMS.get()).isEqualTo(3);
    }

    private static void assertInbox(Container container, int firstSeq) throws Exception {
        SendReport report = MauticSender.builder(container.uri("/webhooks/mautic"), SECRET).build()
                .sendImmediate(SampleEvents.of("mautic.form_on_submit", firstSeq, 3));
        assertThat(report.attempts()).extracting(a -> a.status()).containsOnly(202);
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int done = 0;
        while (done < 3 && System.nanoTime() < until) {
            Thread.sleep(50);
            try (Connection c = WebXmlInboxTest.JNDI.get("java:comp/env/jdbc/hookguard").getConnection();
                 ResultSet rs = c.createStatement().executeQuery("select count(*) from hookguard_inbox where state = 'DONE'")) {
                rs.next();
                done = rs.getInt(1);
            }
        }
        assertThat(done).as("each stored delivery handled by the README's FormIntake").isEqualTo(3);
    }
}
