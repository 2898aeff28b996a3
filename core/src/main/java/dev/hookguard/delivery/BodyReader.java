package dev.hookguard.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reads a body up to a limit, never more than the limit plus one byte, whatever Content-Length says. */
final class BodyReader {

    private BodyReader() {
    }

    /** The body, or {@code null} when it is longer than {@code limit}. */
    static byte[] read(InputStream in, long declaredLength, int limit) throws IOException {
        int cap = limit + 1;
        int initial = declaredLength >= 0 && declaredLength <= limit ? (int) declaredLength + 1 : Math.min(cap, 8192);
        byte[] buffer = new byte[Math.max(1, initial)];
        int length = 0;
        while (length < cap) {
            if (length == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(cap, Math.max(16L, buffer.length * 2L)));
            }
            int n = in.read(buffer, length, Math.min(buffer.length, cap) - length);
            if (n < 0) {
                break;
            }
            length += n;
        }
        if (length > limit) {
            return null;
        }
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }
}
