package dev.hookguard.internal;

import dev.hookguard.payload.RawJson;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Makes {@link RawJson} slices of a body without copying it, which the public API must not allow (a caller could
 * change the bytes under a record). Through a method handle on its private constructor, so that the API package
 * does not depend on this one.
 */
final class RawJsonAccess {

    private static final MethodHandle SLICE;

    static {
        try {
            SLICE = MethodHandles.privateLookupIn(RawJson.class, MethodHandles.lookup())
                    .findConstructor(RawJson.class, MethodType.methodType(void.class, byte[].class, int.class, int.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private RawJsonAccess() {
    }

    /** A slice; {@code end} is -1 when not yet known. */
    static RawJson slice(byte[] body, int start, int end) {
        try {
            return (RawJson) SLICE.invokeExact(body, start, end);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
