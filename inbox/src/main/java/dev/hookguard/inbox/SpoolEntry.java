package dev.hookguard.inbox;

import dev.hookguard.delivery.spi.InboxDelivery;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One spooled delivery, as the inbox's rows need it (the kept headers only, never the signature), and its bytes in the
 * journal: {@code spooledAt}, then each text as a length and UTF-16 code units, then each part's key, event type and
 * body, then one byte of flags (absent from entries written before it: read as {@code mayBeStored}). The journal
 * frames it with a magic number, its length and a CRC32C ({@link Spool}).
 *
 * @param mayBeStored whether the database may hold this very delivery already: its store reached the database and
 *                    failed without saying whether it committed (a timeout, a connection lost mid-statement). The
 *                    drain then never revives a dead row of it (the row may be this delivery's, handled and dead); a
 *                    delivery that never reached the database (refused at connect, or spooled behind others) is a
 *                    redelivery, a new chance for a dead row, as with the database up
 */
record SpoolEntry(long spooledAt, String scheme, String tenant, String headers, List<InboxDelivery.Part> parts, boolean mayBeStored) {

    private static final int NEVER_REACHED_THE_DATABASE = 1;

    /** An entry the database may hold already: what every entry read back from before the flags was. */
    SpoolEntry(long spooledAt, String scheme, String tenant, String headers, List<InboxDelivery.Part> parts) {
        this(spooledAt, scheme, tenant, headers, parts, true);
    }

    /** The same delivery with other parts, or another time: its flags kept. */
    SpoolEntry with(long at, List<InboxDelivery.Part> someParts) {
        return new SpoolEntry(at, scheme, tenant, headers, someParts, mayBeStored);
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + parts.stream().mapToInt(p -> p.body().length + p.key().length() + 64).sum());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(spooledAt);
            text(out, scheme);
            text(out, tenant);
            text(out, headers);
            out.writeInt(parts.size());
            for (InboxDelivery.Part part : parts) {
                text(out, part.key());
                text(out, part.eventType());
                out.writeInt(part.body().length);
                out.write(part.body());
            }
            out.writeByte(mayBeStored ? 0 : NEVER_REACHED_THE_DATABASE);
        } catch (IOException e) {
            throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    static SpoolEntry decode(ByteBuffer payload) {
        long spooledAt = payload.getLong();
        String scheme = text(payload);
        String tenant = text(payload);
        String headers = text(payload);
        int count = payload.getInt();
        if (count < 0 || count > payload.remaining()) {
            throw new IllegalArgumentException("bad part count");
        }
        List<InboxDelivery.Part> parts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String key = text(payload);
            String eventType = text(payload);
            parts.add(new InboxDelivery.Part(key, eventType, bytes(payload)));
        }
        boolean mayBeStored = !payload.hasRemaining() || (payload.get() & NEVER_REACHED_THE_DATABASE) == 0;
        return new SpoolEntry(spooledAt, scheme, tenant, headers, parts, mayBeStored);
    }

    /**
     * UTF-16 code units, not UTF-8: a key is the sender's text, and a lone surrogate in it (which UTF-8 cannot
     * encode, and would turn into {@code ?}) must come back as it went in, or the drain would store another key.
     */
    private static void text(DataOutputStream out, String text) throws IOException {
        out.writeInt(text.length() * 2);
        out.writeChars(text);
    }

    private static String text(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || (length & 1) != 0 || length > in.remaining()) {
            throw new IllegalArgumentException("bad text length");
        }
        char[] chars = new char[length / 2];
        in.asCharBuffer().get(chars);
        in.position(in.position() + length);
        return new String(chars);
    }

    private static byte[] bytes(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("bad length");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }
}
