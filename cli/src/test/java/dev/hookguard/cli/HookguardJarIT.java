package dev.hookguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged jar runs on its own: {@code java -jar cli/target/hookguard.jar}. */
class HookguardJarIT {

    private static Process start(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] command = new String[args.length + 3];
        command[0] = java;
        command[1] = "-jar";
        command[2] = Path.of("target", "hookguard.jar").toAbsolutePath().toString();
        System.arraycopy(args, 0, command, 3, args.length);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("HOOKGUARD_MALCOLM_SECRETS", "jar-secret");
        return builder.start();
    }

    @Test
    void packagedJarSignsStandardInputAndVerifiesIt() throws Exception {
        byte[] body = "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        Process sign = start("sign", "--scheme", "malcolm");
        sign.getOutputStream().write(body);
        sign.getOutputStream().close();
        assertThat(sign.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String signature = new String(sign.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(sign.exitValue()).isZero();
        assertThat(signature).isEqualTo(WebhookSigner.sign(SignatureScheme.MALCOLM, "jar-secret", body));

        Process verify = start("verify", "--scheme", "malcolm", "--signature", "sha256=AAAA");
        verify.getOutputStream().write(body);
        verify.getOutputStream().close();
        assertThat(verify.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(verify.exitValue()).isEqualTo(1);
        assertThat(new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()).isEqualTo("invalid: malformed");
    }
}
