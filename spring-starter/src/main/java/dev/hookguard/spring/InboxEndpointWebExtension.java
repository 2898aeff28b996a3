package dev.hookguard.spring;

import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;
import org.springframework.lang.Nullable;

/**
 * Over HTTP, a replay's status says what happened: 200 replayed, 404 no row has the key, 409 the row is pending or
 * running. (JMX, which has no statuses, gets {@link InboxEndpoint}'s answer alone; its {@code error} says the same.)
 */
@EndpointWebExtension(endpoint = InboxEndpoint.class)
final class InboxEndpointWebExtension {

    private final InboxEndpoint endpoint;

    InboxEndpointWebExtension(InboxEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @WriteOperation
    public WebEndpointResponse<InboxEndpoint.Replay> replay(@Nullable String key, @Nullable Boolean allDead) {
        InboxEndpoint.Replay replay = endpoint.replay(key, allDead);
        int status = replay.error() == null ? 200 : replay.state() == null ? 404 : 409;
        return new WebEndpointResponse<>(replay, status);
    }
}
