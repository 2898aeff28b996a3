package dev.hookguard.sender;

/** Mautic's {@code events_orderby_dir}: the order queued events are taken in. */
public enum QueueOrder {
    /** "Chronological", the default: oldest first. */
    ASC,
    /** "Reverse Chronological": newest first, so events arrive out of order across and within batches. */
    DESC;

    /** {@code asc} or {@code desc}, ignoring case. */
    public static QueueOrder named(String name) {
        return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
    }
}
