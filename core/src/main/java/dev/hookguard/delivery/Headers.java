package dev.hookguard.delivery;

import java.util.Map;
import java.util.TreeMap;

/** Looks request headers up by name, ignoring case, as HTTP says. */
@FunctionalInterface
public interface Headers {

    /** The first value of the header, or {@code null} when absent. Must ignore case. */
    String get(String name);

    /** Headers from a map, looked up ignoring case. */
    static Headers of(Map<String, String> headers) {
        TreeMap<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach(byName::putIfAbsent);
        return byName::get;
    }
}
