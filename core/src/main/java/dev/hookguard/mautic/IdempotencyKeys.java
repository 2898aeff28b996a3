package dev.hookguard.mautic;

import dev.hookguard.internal.Node;
import dev.hookguard.internal.StorableKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Mautic sends no delivery id. Events with an id unique to the occurrence are keyed by it; the rest by a
 * SHA-256 of the type and the event's exact bytes, which Mautic re-encodes identically when it retries a
 * queue row (and which include the queue timestamp, so two real changes never share a key).
 */
final class IdempotencyKeys {

    private IdempotencyKeys() {
    }

    static String of(String type, Node event, String testTimestamp) {
        // The type is the sender's text too (a key of the batch's map): storable, or its digest.
        String shortType = StorableKeys.storableOrDigest(type.startsWith("mautic.") ? type.substring("mautic.".length()) : type);
        if (testTimestamp == null) {
            String natural = naturalId(type, event);
            if (natural != null) {
                return "mautic:" + shortType + ":" + natural;
            }
        }
        MessageDigest sha = sha256();
        sha.update(type.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        event.digestInto(sha);
        if (testTimestamp != null) {
            // Sample events are the same in every test send; the send's own timestamp tells sends apart.
            sha.update((byte) 0);
            sha.update(testTimestamp.getBytes(StandardCharsets.UTF_8));
        }
        return (testTimestamp == null ? "mautic:" : "mautic-test:") + shortType + ":sha256:"
                + HexFormat.of().formatHex(sha.digest());
    }

    private static String naturalId(String type, Node event) {
        switch (type) {
            case FormSubmitted.TYPE:
                return scalar(event.path("submission").path("id"));
            case EmailOpened.TYPE:
                return scalar(event.path("stat").path("id"));
            case EmailSent.TYPE:
                return scalar(event.path("idHash"));
            case PageHit.TYPE:
                return scalar(event.path("hit").path("id"));
            case ContactDeleted.TYPE:
            case CompanyDeleted.TYPE:
                return scalar(event.path("id"));
            default:
                return null;
        }
    }

    /**
     * Mautic's ids count from 1. An id of 0 or below is not one: PHP writes an integer past 64 bits as a float, and
     * json_encode turns its overflow into 0, so every such event would share one key; they are keyed by their bytes.
     */
    private static String scalar(Node node) {
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().signum() > 0 ? node.asText() : null;
        }
        // A text id no database column can hold as it is (a NUL, an unpaired surrogate) is not used: keyed by the bytes.
        if (node.isTextual() && !node.asText().isEmpty() && !node.asText().matches("-?0+") && StorableKeys.storable(node.asText())) {
            return node.asText();
        }
        return null;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
