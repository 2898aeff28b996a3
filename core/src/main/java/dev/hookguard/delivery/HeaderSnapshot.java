package dev.hookguard.delivery;

import java.util.Map;

/**
 * Request headers copied into two arrays. A request carries a dozen headers or so, and a scan with
 * {@code equalsIgnoreCase} (which compares lengths first) costs less than building a case-insensitive tree.
 */
final class HeaderSnapshot implements Headers {

    /** Above this many headers a tree is used instead, so that a request with very many stays linear to copy. */
    static final int MAX_SCANNED = 64;

    private final String[] names;
    private final String[] values;
    private final int size;

    HeaderSnapshot(Map<String, String> headers) {
        names = new String[headers.size()];
        values = new String[headers.size()];
        int count = 0;
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey() != null && indexOf(header.getKey(), count) < 0) {
                names[count] = header.getKey();
                values[count] = header.getValue();
                count++;
            }
        }
        size = count;
    }

    private int indexOf(String name, int count) {
        for (int i = 0; i < count; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String get(String name) {
        int i = indexOf(name, size);
        return i < 0 ? null : values[i];
    }
}
