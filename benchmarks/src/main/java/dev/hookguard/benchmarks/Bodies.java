package dev.hookguard.benchmarks;

import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Benchmark bodies: JSON of an exact size, a queued Mautic batch, a Malcolm! session. */
final class Bodies {

    private Bodies() {
    }

    /** A JSON object of exactly {@code size} ASCII bytes. */
    static byte[] json(int size, Random random) {
        StringBuilder s = new StringBuilder(size);
        s.append("{\"data\":\"");
        while (s.length() < size - 2) {
            s.append((char) ('a' + random.nextInt(26)));
        }
        s.append("\"}");
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A queue-mode Mautic body: 10 events of mixed types, newest first, as PHP encodes it. */
    static byte[] mauticBatch() {
        return MauticSender.queueBody(SampleEvents.cycling(SampleEvents.MAUTIC_TYPES.subList(4, 14), 100, 10));
    }

    static byte[] malcolmSession() {
        return MalcolmSender.body(SampleEvents.malcolmSession(7, true));
    }
}
