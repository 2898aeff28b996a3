package dev.hookguard.delivery;

import java.util.Map;
import java.util.TreeMap;

/** Looks request headers up by name, ignoring case, as HTTP says. */
@FunctionalInterface
public interface Headers {

    /** The first value of the header, or {@code null} when absent. Must ignore case. */
    String get(String name);

    /** A copy of {@code headers}, looked up ignoring case; of names equal but for case, the first wins. */
    static Headers of(Map<String, String> headers) {
        String[] namesAndValues = new String[2 * headers.size()];
        int i = 0;
        for (Map.Entry<String, String> header : headers.entrySet()) {
            namesAndValues[i++] = header.getKey();
            namesAndValues[i++] = header.getValue();
        }
        return of(namesAndValues, i);
    }

    /**
     * A copy of alternating header names and values ({@code "Content-Type", "application/json", ...}), as an adapter
     * reads them off its server's request; of names equal but for case, the first wins, and nulls are skipped.
     */
    static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("header names and values must alternate");
        }
        return of(namesAndValues.clone(), namesAndValues.length);
    }

    private static Headers of(String[] namesAndValues, int length) {
        if (length > 2 * HeaderSnapshot.MAX_SCANNED) {
            TreeMap<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 0; i < length; i += 2) {
                if (namesAndValues[i] != null && namesAndValues[i + 1] != null) {
                    byName.putIfAbsent(namesAndValues[i], namesAndValues[i + 1]);
                }
            }
            return byName::get;
        }
        return new HeaderSnapshot(namesAndValues, length);
    }
}
