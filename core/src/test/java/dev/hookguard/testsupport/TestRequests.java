package dev.hookguard.testsupport;

import dev.hookguard.delivery.IncomingRequest;
import java.io.InputStream;
import java.util.Map;
import java.util.function.Supplier;

/** An {@link IncomingRequest} as an adapter would give it, on {@code /webhooks/mautic}, for endpoint tests. */
public final class TestRequests {

    private TestRequests() {
    }

    /**
     * @param headers        matched ignoring case, as servlet containers do
     * @param declaredLength the {@code Content-Length}, or -1
     * @param body           what {@link IncomingRequest#body()} answers
     */
    public static IncomingRequest of(String method, Map<String, String> headers, long declaredLength, Supplier<InputStream> body, String peer) {
        return new IncomingRequest() {
            @Override
            public String method() {
                return method;
            }

            @Override
            public String header(String name) {
                return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                        .findFirst().orElse(null);
            }

            @Override
            public String path() {
                return "/webhooks/mautic";
            }

            @Override
            public long contentLength() {
                return declaredLength;
            }

            @Override
            public InputStream body() {
                return body.get();
            }

            @Override
            public String remoteAddress() {
                return peer;
            }
        };
    }
}
