package dev.hookguard.sender;

/** How the reference sender treats a failed Mautic delivery. */
public enum RetryPolicy {
    /**
     * Mautic up to 5.x: the queue rows are deleted as soon as an answer arrives, so a non-2xx batch is lost;
     * only a transport error (connection refused, timeout) leaves rows for the next cron run.
     */
    MAUTIC5,
    /** Newer Mautic (PR #15283): a failed batch stays queued and is retried after a delay. */
    RETRYING;

    /** {@code mautic5} or {@code retrying}, ignoring case. */
    public static RetryPolicy named(String name) {
        return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
    }
}
