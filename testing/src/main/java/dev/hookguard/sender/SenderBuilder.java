package dev.hookguard.sender;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What building either reference sender has in common: where to, with which secret, how patiently, and who to tell.
 *
 * @param <B> the concrete builder, so that every setter chains
 */
public abstract class SenderBuilder<B extends SenderBuilder<B>> {

    final URI url;
    final String secret;
    Duration connectTimeout = Duration.ofSeconds(5);
    Duration requestTimeout = Duration.ofSeconds(30);
    Consumer<Attempt> listener = a -> { };

    SenderBuilder(URI url, String secret) {
        this.url = Objects.requireNonNull(url, "url");
        this.secret = secret;
    }

    abstract B self();

    /** Connect timeout (default 5 s). */
    public B connectTimeout(Duration connectTimeout) {
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        return self();
    }

    /** Whole-request timeout (neither sender sets one; default here 30 s so that tests end). */
    public B requestTimeout(Duration requestTimeout) {
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        return self();
    }

    /** Told of every request as it completes. */
    public B onAttempt(Consumer<Attempt> listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return self();
    }

    Http http() {
        return new Http(connectTimeout, requestTimeout);
    }
}
