package dev.hookguard.mautic;

/**
 * A form was submitted. Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param submission the submission
 */
public record FormSubmitted(EventMeta meta, Submission submission) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.form_on_submit";
}
