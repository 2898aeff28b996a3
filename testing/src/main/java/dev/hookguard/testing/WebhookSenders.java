package dev.hookguard.testing;

import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import java.net.URI;
import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that hands your tests reference senders aimed at your own application, signing with the
 * secrets your test configuration gives it: real HTTP requests, the bytes the real senders write.
 *
 * <pre>{@code
 * @LocalServerPort int port;
 *
 * @RegisterExtension
 * WebhookSenders senders = WebhookSenders.at(() -> URI.create("http://localhost:" + port))
 *         .mautic("/webhooks/mautic", "test-mautic-secret")
 *         .malcolm("/webhooks/malcolm", "test-malcolm-secret");
 *
 * @Test
 * void aFormSubmissionOpensAnIssue(MauticSender mautic) {
 *     assertTrue(mautic.sendImmediate(SampleEvents.of("mautic.form_on_submit", 1, 1)).allDelivered());
 * }
 * }</pre>
 *
 * The base address is read when a sender is made, so it may name a port chosen after the extension was created.
 */
public final class WebhookSenders implements ParameterResolver {

    private final Supplier<URI> base;
    private String mauticPath;
    private String mauticSecret;
    private String malcolmPath;
    private String malcolmSecret;
    private String instanceId = "hookguardtest";

    private WebhookSenders(Supplier<URI> base) {
        this.base = Objects.requireNonNull(base, "base");
    }

    /** Senders aimed at the application at {@code base} (scheme, host and port), read when each sender is made. */
    public static WebhookSenders at(Supplier<URI> base) {
        return new WebhookSenders(base);
    }

    /** Plays Mautic at {@code path}, signing with {@code secret}. */
    public WebhookSenders mautic(String path, String secret) {
        this.mauticPath = requirePath(path);
        this.mauticSecret = Objects.requireNonNull(secret, "secret");
        return this;
    }

    /** Plays Malcolm! at {@code path}, signing with {@code secret}. */
    public WebhookSenders malcolm(String path, String secret) {
        this.malcolmPath = requirePath(path);
        this.malcolmSecret = Objects.requireNonNull(secret, "secret");
        return this;
    }

    /** The {@code X-Instance-Id} Malcolm! sends (default {@code hookguardtest}). */
    public WebhookSenders instanceId(String instanceId) {
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        return this;
    }

    /** A Mautic sender in immediate mode by default; its builder's other settings are Mautic 5's. */
    public MauticSender mautic() {
        if (mauticPath == null) {
            throw new IllegalStateException("no Mautic endpoint: call mautic(path, secret) when creating WebhookSenders");
        }
        return MauticSender.builder(base.get().resolve(mauticPath), mauticSecret).build();
    }

    /** A Malcolm! sender. */
    public MalcolmSender malcolm() {
        if (malcolmPath == null) {
            throw new IllegalStateException("no Malcolm! endpoint: call malcolm(path, secret) when creating WebhookSenders");
        }
        return MalcolmSender.builder(base.get().resolve(malcolmPath), malcolmSecret).instanceId(instanceId).build();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
        Class<?> type = parameter.getParameter().getType();
        return type == MauticSender.class || type == MalcolmSender.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
        try {
            return parameter.getParameter().getType() == MauticSender.class ? mautic() : malcolm();
        } catch (IllegalStateException e) {
            throw new ParameterResolutionException(e.getMessage(), e);
        }
    }

    private static String requirePath(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("the path must start with /: " + path);
        }
        return path;
    }
}
