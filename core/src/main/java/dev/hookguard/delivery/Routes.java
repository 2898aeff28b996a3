package dev.hookguard.delivery;

import java.util.List;

/**
 * The application's handlers of one endpoint, by type: a Mautic batch is offered event by event in body order, a
 * Malcolm! session as itself, and {@code onAny} handlers get the whole payload. Immutable.
 */
final class Routes<T> {

    /** One handler and what it takes. */
    record Route(Class<?> type, WebhookHandler<Object> handler, boolean whole) {
    }

    private final List<Route> routes;
    private final PayloadKind<T> kind;

    Routes(List<Route> routes, PayloadKind<T> kind) {
        this.routes = List.copyOf(routes);
        this.kind = kind;
    }

    boolean isEmpty() {
        return routes.isEmpty();
    }

    /** Calls every handler that takes something of the payload; whether any did. The first that throws ends it. */
    boolean dispatch(T payload) throws Exception {
        boolean handled = false;
        for (Route route : routes) {
            if (route.whole()) {
                route.handler().handle(payload);
                handled = true;
            }
        }
        for (Object part : kind.parts(payload)) {
            for (Route route : routes) {
                if (!route.whole() && route.type().isInstance(part)) {
                    route.handler().handle(part);
                    handled = true;
                }
            }
        }
        return handled;
    }
}
