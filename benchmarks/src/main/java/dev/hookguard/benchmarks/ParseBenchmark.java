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

    byte[] mautic;
    String mauticSignature;
    byte[] malcolm;
    String malcolmSignature;
    SignatureVerifier mauticVerifier;
    SignatureVerifier malcolmVerifier;
    Mac mac;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        mautic = Bodies.mauticBatch();
        malcolm = Bodies.malcolmSession();
        mauticSignature = WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, mautic);
        malcolmSignature = WebhookSigner.sign(SignatureScheme.MALCOLM, SECRET, malcolm);
        mauticVerifier = SignatureVerifier.builder(SignatureScheme.MAUTIC).secret(SECRET).build();
        malcolmVerifier = SignatureVerifier.builder(SignatureScheme.MALCOLM).secret(SECRET).build();
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        if (hookguardMautic().size() != 10 || hookguardMalcolm().values().isEmpty() || baselineMautic() == null) {
            throw new IllegalStateException("bodies do not parse");
        }
    }

    @Benchmark
    public MauticBatch hookguardMautic() {
        mauticVerifier.verify(mautic, mauticSignature);
        return MauticPayloads.parse(mautic);
    }

    /** The same, plus every event's idempotency key, as the pipeline asks for them (a SHA-256 of the bytes for some). */
    @Benchmark
    public int hookguardMauticWithKeys() {
        mauticVerifier.verify(mautic, mauticSignature);
        int length = 0;
        for (MauticEvent event : MauticPayloads.parse(mautic).events()) {
            length += event.idempotencyKey().length();
        }
        return length;
    }

    @Benchmark
    public JsonNode baselineMautic() throws Exception {
        if (!MessageDigest.isEqual(mac.doFinal(mautic), Base64.getDecoder().decode(mauticSignature))) {
            throw new IllegalStateException();
        }
        return MAPPER.readTree(mautic);
    }

    @Benchmark
    public WorkflowSession hookguardMalcolm() {
        malcolmVerifier.verify(malcolm, malcolmSignature);
        return MalcolmPayloads.parse(malcolm, "bench00001");
    }

    @Benchmark
    public JsonNode baselineMalcolm() throws Exception {
        if (!MessageDigest.isEqual(mac.doFinal(malcolm), Base64.getDecoder().decode(malcolmSignature.substring(7)))) {
            throw new IllegalStateException();
        }
        return MAPPER.readTree(malcolm);
    }
}
