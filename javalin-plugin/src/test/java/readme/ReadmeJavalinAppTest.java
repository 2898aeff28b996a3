package readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "complete application" for Javalin 7, as pasted ({@link WebhookApp} is that block, checked equal here),
 * run with its secrets in the environment it names (set for this module's tests), receiving from the reference sender.
 */
class ReadmeJavalinAppTest {

    @Test
    void theCopyHereIsTheReadmesBlock() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String section = readme.substring(readme.indexOf("## Javalin"), readme.indexOf("## Security model"));
        Matcher block = Pattern.compile("```java\\n(import dev.hookguard.javalin.HookguardPlugin;.*?public final class WebhookApp.*?)```", Pattern.DOTALL)
                .matcher(section);
        assertThat(block.find()).isTrue();
        String copy = Files.readString(Path.of("src/test/java/readme/WebhookApp.java"), StandardCharsets.UTF_8);
        assertThat(copy).isEqualTo("package readme;\n\n" + block.group(1));
    }

    @Test
    void theReadmesApplicationAnswersBothSendersOnItsPort() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            WebhookApp.main(new String[0]);
            URI mautic = URI.create("http://127.0.0.1:7070/webhooks/mautic");
            URI malcolm = URI.create("http://127.0.0.1:7070/webhooks/malcolm");
            assertThat(MauticSender.builder(mautic, System.getenv("HOOKGUARD_MAUTIC_SECRETS")).build()
                    .sendImmediate(SampleEvents.of("mautic.form_on_submit", 1, 2)).allDelivered()).isTrue();
            assertThat(MalcolmSender.builder(malcolm, System.getenv("HOOKGUARD_MALCOLM_SECRETS")).build()
                    .send(SampleEvents.malcolmSession(1, true)).status()).isEqualTo(204);
            assertThat(MauticSender.builder(mautic, "not-the-secret").build()
                    .sendImmediate(SampleEvents.of("mautic.form_on_submit", 3, 1)).attempts().get(0).status()).isEqualTo(401);
        } finally {
            System.setOut(original);
        }
        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(out.lines().filter(l -> l.startsWith("form ")).count()).as(out).isEqualTo(2);
    }
}
