package dev.hookguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.spi.InboxDelivery;
import dev.hookguard.malcolm.MalcolmPayloads;
import dev.hookguard.mautic.MauticPayloads;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.SampleEvents;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Keys derived from a sender's text hold nothing a database column cannot keep as it is, and stay one key per text. */
class StorableKeysTest {

    /** A real session whose id is written on the wire as {@code idAsJson}: JSON escapes as a sender's encoder writes them. */
    private static String malcolmKey(String idAsJson) {
        byte[] body = new String(MalcolmSender.body(SampleEvents.malcolmSession(1, true).put("id", "ID-PLACEHOLDER")), StandardCharsets.UTF_8)
                .replace("ID-PLACEHOLDER", idAsJson).getBytes(StandardCharsets.UTF_8);
        return MalcolmPayloads.parse(body, "instance01").idempotencyKey();
    }

    @Test
    void anOrdinaryIdIsItsOwnKey() {
        assertThat(malcolmKey("ws-123 ünï \\ud83d\\ude00")).isEqualTo("malcolm:ws-123 ünï \uD83D\uDE00");
        assertThat(StorableKeys.storable("a\uD83D\uDE00b")).isTrue();
    }

    @Test
    void anIdWithANulOrAnUnpairedSurrogateIsKeyedByItsDigestOnePerId() {
        String nul = malcolmKey("ws\\u0000a");
        String otherNul = malcolmKey("ws\\u0000b");
        String high = malcolmKey("ws\\ud800");
        String otherHigh = malcolmKey("ws\\ud801");
        String low = malcolmKey("ws\\udc00");
        assertThat(java.util.List.of(nul, otherNul, high, otherHigh, low)).allSatisfy(key -> {
            assertThat(key).startsWith("malcolm:sha256:").hasSize("malcolm:sha256:".length() + 64);
            assertThat(StorableKeys.storable(key)).isTrue();
        }).doesNotHaveDuplicates();
        assertThat(malcolmKey("ws\\ud800")).as("the same id, the same key").isEqualTo(high);
    }

    @Test
    void aMauticTextIdWithANulIsNotUsedAndTheEventIsKeyedByItsBytes() {
        byte[] body = "{\"mautic.email_on_send\":[{\"idHash\":\"ab\\u0000cd\",\"timestamp\":\"2026-01-05T09:00:00+00:00\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        String key = MauticPayloads.parse(body).events().get(0).idempotencyKey();
        assertThat(key).startsWith("mautic:email_on_send:sha256:");
        assertThat(StorableKeys.storable(key)).isTrue();
    }

    @Test
    void aDeliveryTellsWhetherEveryKeyIsStorable() {
        InboxDelivery.Part ordinary = new InboxDelivery.Part("malcolm:ws-1 \uD83D\uDE00", "t", new byte[0]);
        assertThat(delivery(ordinary).keysStorable()).isTrue();
        assertThat(delivery(ordinary, new InboxDelivery.Part("tenant\u0000:k", "t", new byte[0])).keysStorable()).isFalse();
        assertThat(delivery(new InboxDelivery.Part("k\uDC00", "t", new byte[0])).keysStorable()).isFalse();
    }

    private static InboxDelivery delivery(InboxDelivery.Part... parts) {
        return new InboxDelivery(dev.hookguard.signature.SignatureScheme.MAUTIC, "", java.util.List.of(parts), new byte[0],
                dev.hookguard.delivery.Headers.of(java.util.Map.of()));
    }
}
