package dev.hookguard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IsoDateTimesTest {

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-24T15:54:35+00:00", "2017-12-01T00:05:18-06:00", "2026-01-05T09:00:01+02:00", "2020-02-29T23:59:59Z",
        "1999-12-31T00:00:00+14:00", "2024-10-24T15:54:35.123+00:00", "2024-10-24T15:54+01:00", "2024-10-24T15:54:35+05:30",
        "2024-10-24T15:54:35+05:45", "2024-10-24T15:54:35+00:20", "2024-10-24T15:54:35-18:00", "2024-10-24T15:54:35+18:00", "2024-10-24T15:54:35-00:00"})
    void readsWhatOffsetDateTimeReads(String text) {
        assertThat(IsoDateTimes.parse(text)).isEqualTo(OffsetDateTime.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-02-30T00:00:00+00:00", "2024-13-01T00:00:00+00:00", "2024-10-24T24:00:00+00:00", "2024-10-24T15:54:35+19:00",
        "2024-10-24T15:54:35+0000", "2024-10-24 15:54:35+00:00", "2024-10-24T15:54:35", "24-10-24T15:54:35+00:00", "2024-1O-24T15:54:35+00:00",
        "2024-10-24T15:54:35+00:60", "", "yesterday"})
    void refusesWhatOffsetDateTimeRefuses(String text) {
        assertThatThrownBy(() -> IsoDateTimes.parse(text)).isInstanceOf(DateTimeParseException.class);
    }

    @org.junit.jupiter.api.Test
    void agreesWithOffsetDateTimeOnRandomInstants() {
        Random random = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            OffsetDateTime t = OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(random.nextInt(Integer.MAX_VALUE)),
                    java.time.ZoneOffset.ofTotalSeconds((random.nextInt(2161) - 1080) * 60));
            String text = t.format(java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx"));
            assertThat(IsoDateTimes.parse(text)).isEqualTo(OffsetDateTime.parse(text));
        }
    }
}
