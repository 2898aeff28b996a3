package dev.hookguard.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hookguard.malcolm.MalcolmPayloads;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.mautic.MauticEvent;
import dev.hookguard.mautic.MauticPayloads;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.SignatureVerifier;
import dev.hookguard.signature.WebhookSigner;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
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

/** Verify and parse a real body into typed records, against HMAC plus Jackson's {@code readTree} on the same bytes. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Thread)
public class ParseBenchmark {

    static final String SECRET = VerifyBenchmark.SECRET;
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** A queued Mautic batch of 10 events of mixed types, or a Malcolm! session with five values. */
    @Param({"mauticBatch", "malcolmSession"})
    public String body;

    boolean mautic;
    byte[] bytes;
    String signature;
    SignatureVerifier verifier;
    Mac mac;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        mautic = body.equals("mauticBatch");
        SignatureScheme scheme = mautic ? SignatureScheme.MAUTIC : SignatureScheme.MALCOLM;
        bytes = mautic ? Bodies.mauticBatch() : Bodies.malcolmSession();
        signature = WebhookSigner.sign(scheme, SECRET, bytes);
        verifier = SignatureVerifier.builder(scheme).secret(SECRET).build();
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        Object parsed = hookguard();
        boolean complete = parsed instanceof MauticBatch batch ? batch.size() == 10 : !((WorkflowSession) parsed).values().orElseThrow().isEmpty();
        if (!complete || baseline() == null || hookguardWithKeys() == 0) {
            throw new IllegalStateException("bodies do not parse");
        }
    }

    /** Verify, then parse into typed records ({@code MauticBatch} and its events, or {@code WorkflowSession}). */
    @Benchmark
    public Object hookguard() {
        verifier.verify(bytes, signature);
        return mautic ? MauticPayloads.parse(bytes) : MalcolmPayloads.parse(bytes, "bench00001");
    }

    /**
     * The same, plus every idempotency key, as the pipeline asks for them (for half of the Mautic events that is a
     * SHA-256 of the event's bytes).
     */
    @Benchmark
    public int hookguardWithKeys() {
        verifier.verify(bytes, signature);
        if (!mautic) {
            return MalcolmPayloads.parse(bytes, "bench00001").idempotencyKey().length();
        }
        int length = 0;
        for (MauticEvent event : MauticPayloads.parse(bytes).events()) {
            length += event.idempotencyKey().length();
        }
        return length;
    }

    /** HMAC over the body, the header's digest compared in constant time, then Jackson's {@code readTree}. */
    @Benchmark
    public JsonNode baseline() throws Exception {
        String digest = mautic ? signature : signature.substring("sha256=".length());
        if (!MessageDigest.isEqual(mac.doFinal(bytes), Base64.getDecoder().decode(digest))) {
            throw new IllegalStateException();
        }
        return MAPPER.readTree(bytes);
    }
}
