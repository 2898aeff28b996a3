package dev.hookguard.sender;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The sender's JSON encoding against PHP's own {@code json_encode}, case by case (cases made by PHP). */
class PhpJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> phpCases() throws IOException {
        JsonNode cases;
        try (InputStream in = PhpJsonTest.class.getResourceAsStream("/php-json-encode.json")) {
            cases = JSON.readTree(in).get("cases");
        }
        return StreamSupport.stream(cases.spliterator(), false)
                .map(c -> Arguments.of(c.get("input").asText(), c.get("php_json_encode").asText()));
    }

    @ParameterizedTest
    @MethodSource("phpCases")
    void reproducesPhpJsonEncodeByteForByte(String input, String php) throws Exception {
        assertThat(PhpJson.encodeToString(JSON.readTree(input))).isEqualTo(php);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0.1|0.1", "0.0001|0.0001", "0.00001|1.0e-5", "1.0E15|1000000000000000", "1.0E17|1.0e+17", "1.0E18|1.0e+18",
        "123456789012345680000|1.2345678901234568e+20", "-2.5|-2.5", "5.0E-324|5.0e-324",
        "1.7976931348623157E308|1.7976931348623157e+308", "0.30000000000000004|0.30000000000000004", "100.5|100.5",
        "12345678901234567|12345678901234568"})
    void floatsTakePhpsShortestForm(double value, String php) {
        StringBuilder out = new StringBuilder();
        PhpJson.writeDouble(value, out);
        assertThat(out).hasToString(php);
    }
}
