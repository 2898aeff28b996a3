package dev.hookguard.benchmarks;

import com.standardwebhooks.Webhook;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.SignatureVerifier;
import dev.hookguard.signature.WebhookSigner;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Verifying one signed body: Hookguard against the least a correct verifier must do, and against the peers on
 * the same body with their own schemes. Every method returns whether the signature held, so nothing is dead code.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Thread)
public class VerifyBenchmark {

    static final String SECRET = "ca8c3a1d41ff7fa8f8a6273c9bf4844a06d8392bafa203cd4278343ba9cced6d";
    /** Standard Webhooks and Svix take a base64 key behind a {@code whsec_} prefix. */
    static final String WHSEC = "whsec_" + Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8));

    @Param({"1024", "16384", "1048576"})
    public int bodySize;

    byte[] body;
    String bodyText;
    String mauticSignature;

    SignatureVerifier hookguard;

    Mac baselineMac;

    Webhook standardWebhooks;
    Map<String, List<String>> standardHeaders;
    com.svix.Webhook svix;
    Map<String, List<String>> svixHeaders;
    String stripeHeader;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        body = Bodies.json(bodySize, new Random(bodySize));
        bodyText = new String(body, StandardCharsets.UTF_8);
        mauticSignature = WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body);
        hookguard = SignatureVerifier.builder(SignatureScheme.MAUTIC).secret(SECRET).build();

        baselineMac = Mac.getInstance("HmacSHA256");
        baselineMac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));

        long now = System.currentTimeMillis() / 1000;
        standardWebhooks = new Webhook(WHSEC);
        standardHeaders = Map.of("webhook-id", List.of("msg_1"), "webhook-timestamp", List.of(Long.toString(now)),
                "webhook-signature", List.of(standardWebhooks.sign("msg_1", now, bodyText)));
        svix = new com.svix.Webhook(WHSEC);
        svixHeaders = Map.of("svix-id", List.of("msg_1"), "svix-timestamp", List.of(Long.toString(now)),
                "svix-signature", List.of(svix.sign("msg_1", now, bodyText)));
        stripeHeader = com.stripe.net.Webhook.Signature.generateSignatureHeader(bodyText, SECRET, now);
        if (!hookguard() || !baseline() || !standardWebhooks() || !svix() || !stripe()) {
            throw new IllegalStateException("a verifier refuses its own signature");
        }
    }

    @Benchmark
    public boolean hookguard() {
        hookguard.verify(body, mauticSignature);
        return true;
    }

    /** The least a correct verifier does: keyed MAC over the body, decode the header, constant-time compare. */
    @Benchmark
    public boolean baseline() {
        byte[] expected = baselineMac.doFinal(body);
        return MessageDigest.isEqual(expected, Base64.getDecoder().decode(mauticSignature));
    }

    @Benchmark
    public boolean standardWebhooks() throws Exception {
        standardWebhooks.verify(bodyText, standardHeaders);
        return true;
    }

    @Benchmark
    public boolean svix() throws Exception {
        svix.verify(bodyText, svixHeaders);
        return true;
    }

    /** Stripe with the timestamp tolerance off, so the clock plays no part. */
    @Benchmark
    public boolean stripe() throws Exception {
        return com.stripe.net.Webhook.Signature.verifyHeader(bodyText, stripeHeader, SECRET, 0);
    }
}
