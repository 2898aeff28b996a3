package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadersTest {

    @Test
    void looksNamesUpIgnoringCaseAndKeepsTheFirstOfNamesEqualButForCase() {
        for (int extra : new int[] {0, HeaderSnapshot.MAX_SCANNED + 1}) {
            Map<String, String> map = new LinkedHashMap<>();
            map.put("Webhook-Signature", "first");
            map.put("webhook-signature", "second");
            map.put("Content-Type", "application/json");
            for (int i = 0; i < extra; i++) {
                map.put("X-Filler-" + i, Integer.toString(i));
            }
            Headers headers = Headers.of(map);
            assertThat(headers.get("WEBHOOK-SIGNATURE")).isEqualTo("first");
            assertThat(headers.get("content-type")).isEqualTo("application/json");
            assertThat(headers.get("X-Signature")).isNull();
            if (extra > 0) {
                assertThat(headers.get("x-filler-" + (extra - 1))).isEqualTo(Integer.toString(extra - 1));
            }
        }
    }

    @Test
    void isACopyThatLaterChangesToTheMapDoNotReach() {
        Map<String, String> map = new LinkedHashMap<>(Map.of("X-Instance-Id", "abc"));
        Headers headers = Headers.of(map);
        map.put("X-Instance-Id", "changed");
        map.put("X-Signature", "late");
        assertThat(headers.get("x-instance-id")).isEqualTo("abc");
        assertThat(headers.get("x-signature")).isNull();
    }

    @Test
    void readsAlternatingNamesAndValuesAsACopySkippingNulls() {
        String[] namesAndValues = {"X-Signature", "sig", "x-signature", "later", "X-Empty", null, null, "orphan", "Content-Type", "application/json"};
        Headers headers = Headers.of(namesAndValues);
        namesAndValues[1] = "changed";
        assertThat(headers.get("X-SIGNATURE")).isEqualTo("sig");
        assertThat(headers.get("x-empty")).isNull();
        assertThat(headers.get("content-type")).isEqualTo("application/json");
    }

    @Test
    void refusesNamesWithoutValues() {
        assertThat(catchThrowable(() -> Headers.of("X-Signature")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alternate");
    }
}
