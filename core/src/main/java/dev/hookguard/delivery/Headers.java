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
        if (headers.size() > HeaderSnapshot.MAX_SCANNED) {
            TreeMap<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.forEach(byName::putIfAbsent);
            return byName::get;
        }
        return new HeaderSnapshot(headers);
    }
}
