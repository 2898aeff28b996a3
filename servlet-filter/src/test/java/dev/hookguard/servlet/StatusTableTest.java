package dev.hookguard.servlet;

import dev.hookguard.delivery.WebhookEndpoint;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every row of the status table, through a real Jetty socket, for both schemes. */
class StatusTableTest {

    private static final int LIMIT = 64 * 1024;

    private JettyApp app;
    private RecordingServlet servlet;

    @BeforeAll
    static void restAssured() {
        RestAssured.config = RestAssuredConfig.config()
                .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));
    }

    private void start(SchemeFixture fixture) throws Exception {
        servlet = new RecordingServlet();
        app = JettyApp.create()
                .filter(WebhookVerificationFilter.of(WebhookEndpoint.forScheme(fixture.scheme).secrets(SchemeFixture.SECRET).maxBodyBytes(LIMIT).build()), fixture.path)
                .servlet(servlet, fixture.path)
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        app.close();
    }

    private RequestSpecification signed(SchemeFixture fixture, byte[] body) {
        return given().headers(fixture.headers(body, SchemeFixture.SECRET)).body(body);
    }

    private Response post(RequestSpecification request, SchemeFixture fixture) {
        return request.when().post(app.uri(fixture.path));
    }

    @ParameterizedTest
    @EnumSource(SchemeFixture.class)
    void verifiedDeliveryReachesTheServletAndIsAnswered2xx(SchemeFixture fixture) throws Exception {
        start(fixture);
        byte[] body = fixture.body(1);
        post(signed(fixture, body), fixture).then().statusCode(200);
        assertThat(servlet.bodies).hasSize(1);
        assertThat(servlet.bodies.get(0)).isEqualTo(body);
        assertThat(servlet.handledCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(SchemeFixture.class)
    void getIs405WithAllowPost(SchemeFixture fixture) throws Exception {
        start(fixture);
        given().when().get(app.uri(fixture.path)).then().statusCode(405).header("Allow", "POST")
                .contentType("application/problem+json").body("status", equalTo(405));
        assertThat(servlet.bodies).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(SchemeFixture.class)
    void nonJsonContentTypeIs415(SchemeFixture fixture) throws Exception {
        start(fixture);
        byte[] body = fixture.body(1);
        Map<String, String> headers = new HashMap<>(fixture.headers(body, SchemeFixture.SECRET));
        headers.put("Content-Type", "text/plain");
        given().headers(headers).body(body).when().post(app.uri(fixture.path)).then().statusCode(415)
                .body("code", equalTo("unsupported_media_type"));
        assertThat(servlet.bodies).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(SchemeFixture.class)
    void bodyOverTheLimitIs413(SchemeFixture fixture) throws Exception {
        start(fixture);
        byte[] body = new byte[LIMIT + 1];
        java.util.Arrays.fill(body, (byte) ' ');
        body[0] = '{';
        body[LIMIT] = '}';
        post(signed(fixture, body), fixture).then().statusCode(413).body("code", equalTo("body_too_large"));
        assertThat(servlet.bodies).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(SchemeFixture.class)
    void missingEmptyMalformedAndForgedSignaturesAre401(SchemeFixture fixture) throws Exception {
        start(fixture);
        byte[] body = fixture.body(1);
        String header = fixture.scheme.headerName();
        Map<String, String> good = fixture.headers(body, SchemeFixture.SECRET);
        Map<String, String[]> variants = Map.of(
                "signature_missing", new String[] {null},
                "signature_missing ", new String[] {""},
                "signature_malformed", new String[] {"not base64 !!"},
                "signature_mismatch", new String[] {fixture.headers(body, "another-secret").get(header)});
        for (Map.Entry<String, String[]> v : variants.entrySet()) {
            Map<String, String> headers = new HashMap<>(good);
            headers.remove(header);
            RequestSpecification request = given().headers(headers).body(body);
            if (v.getValue()[0] != null) {
                request.header(header, v.getValue()[0]);
            }
            post(request, fixture).then().statusCode(401).contentType("application/problem+json")
                    .body("code", equalTo(v.getKey().strip()))
                    .body(not(containsString(SchemeFixture.SECRET)))
                    .body(not(containsString(good.get(header).substring(fixture.scheme.prefix().length(), 20))));
        }
        assertThat(servlet.bodies).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(SchemeFixture.class)
    void signedBodyOfTheOtherSenderIs400(SchemeFixture fixture) throws Exception {
        start(fixture);
        post(signed(fixture, fixture.otherSendersBody(1)), fixture).then().statusCode(400).body("code", equalTo("invalid_payload"))
                .body("title", containsString("payload"));
        assertThat(servlet.bodies).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(SchemeFixture.class)
    void finishedDuplicateIs200AndNotHandledAgain(SchemeFixture fixture) throws Exception {
        start(fixture);
        byte[] body = fixture.body(2);
        post(signed(fixture, body), fixture).then().statusCode(200);
        post(signed(fixture, body), fixture).then().statusCode(200);
        assertThat(servlet.bodies).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(SchemeFixture.class)
    void duplicateWhileTheFirstIsHandledIs409WithRetryAfter(SchemeFixture fixture) throws Exception {
        start(fixture);
        servlet.sleepMillis = 1_500;
        byte[] body = fixture.body(3);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> first = pool.submit(() -> post(signed(fixture, body), fixture).statusCode());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (servlet.bodies.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            post(signed(fixture, body), fixture).then().statusCode(409).header("Retry-After", "5").body("code", equalTo("in_flight"));
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
        assertThat(servlet.bodies).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(SchemeFixture.class)
    void handlerThatThrowsGives500WithoutExceptionTextAndARetryIsHandled(SchemeFixture fixture) throws Exception {
        start(fixture);
        servlet.fail = true;
        byte[] body = fixture.body(4);
        post(signed(fixture, body), fixture).then().statusCode(500).contentType("application/problem+json")
                .body("code", equalTo("handler_failed"))
                .body(not(containsString("exploded"))).body(not(containsString("IllegalStateException")));
        servlet.fail = false;
        post(signed(fixture, body), fixture).then().statusCode(200);
        assertThat(servlet.bodies).hasSize(2);
    }

    @ParameterizedTest
    @EnumSource(SchemeFixture.class)
    void downstreamNon2xxReleasesTheDeliveryForARetry(SchemeFixture fixture) throws Exception {
        start(fixture);
        servlet.status = 503;
        byte[] body = fixture.body(5);
        post(signed(fixture, body), fixture).then().statusCode(503);
        servlet.status = 202;
        post(signed(fixture, body), fixture).then().statusCode(202);
        post(signed(fixture, body), fixture).then().statusCode(200);
        assertThat(servlet.bodies).hasSize(2);
    }

    @ParameterizedTest
    @EnumSource(SchemeFixture.class)
    void problemBodiesAreRfc9457(SchemeFixture fixture) throws Exception {
        start(fixture);
        post(given().header("Content-Type", "application/json").body("{}"), fixture).then().statusCode(401)
                .contentType("application/problem+json")
                .body("type", equalTo("https://hookguard.dev/problems/signature-missing"))
                .body("title", equalTo("Invalid signature"))
                .body("status", equalTo(401))
                .body("detail", containsString(fixture.scheme.headerName()));
    }
}
