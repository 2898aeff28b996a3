package dev.hookguard.signature;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Base64DigestTest {

    @Test
    void decodesWhatTheJdkDecodesForEveryCanonicalDigest() {
        Random random = new Random(17);
        byte[] out = new byte[32];
        for (int i = 0; i < 5_000; i++) {
            byte[] digest = new byte[32];
            random.nextBytes(digest);
            for (String prefix : new String[] {"", "sha256="}) {
                assertThat(Base64Digest.decode(prefix + Base64.getEncoder().encodeToString(digest), prefix, out)).isTrue();
                assertThat(out).isEqualTo(digest);
            }
        }
    }

    @Test
    void leavesEveryOtherFormToTheJdkDecoder() {
        String canonical = Base64.getEncoder().encodeToString(new byte[32]);
        byte[] out = new byte[32];
        for (String header : new String[] {
            " " + canonical, canonical + " ", canonical.substring(0, 43), canonical.substring(0, 43) + "B", // low bits set
            canonical.replace('A', '-'), canonical.replace('A', '\u00c0'), "x" + canonical.substring(1, 43) + "==",
            "sha256=" + canonical, canonical + "AAAA"}) {
            assertThat(Base64Digest.decode(header, "", out)).as(header).isFalse();
        }
        assertThat(Base64Digest.decode(canonical, "sha256=", out)).isFalse();
        assertThat(Base64Digest.decode("sha512=" + canonical, "sha256=", out)).isFalse();
    }
}
