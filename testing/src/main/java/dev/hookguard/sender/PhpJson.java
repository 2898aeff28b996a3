package dev.hookguard.sender;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes JSON exactly as PHP's {@code json_encode($value)} with no flags writes what
 * {@code json_decode($json, true)} read, the path every Mautic payload takes before it is signed:
 * {@code \/}, lowercase {@code \\uXXXX} (surrogate pairs beyond the BMP), no whitespace, floats in PHP's
 * shortest form with {@code serialize_precision = -1} ({@code 1.0} as {@code 1}, {@code 1e100} as
 * {@code 1.0e+100}), empty objects as {@code []} and objects keyed {@code "0".."n-1"} as lists.
 */
public final class PhpJson {

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private PhpJson() {
    }

    /** The bytes PHP would send for {@code node}. */
    public static byte[] encode(JsonNode node) {
        return encodeToString(node).getBytes(StandardCharsets.UTF_8);
    }

    /** The text PHP would send for {@code node} (pure ASCII). */
    public static String encodeToString(JsonNode node) {
        StringBuilder out = new StringBuilder(256);
        write(node, out);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node, out);
            case ARRAY -> writeList(node.elements(), out);
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> writeNumber(node, out);
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            case NULL, MISSING -> out.append("null");
            case BINARY, POJO -> writeString(node.asText(), out);
        }
    }

    private static void writeObject(JsonNode node, StringBuilder out) {
        // json_decode(..., true) makes a PHP array; json_encode writes an array that is a list as [...].
        if (isList(node)) {
            writeList(node.elements(), out);
            return;
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(field.getKey(), out);
            out.append(':');
            write(field.getValue(), out);
        }
        out.append('}');
    }

    private static boolean isList(JsonNode object) {
        int expected = 0;
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); expected++) {
            if (!names.next().equals(Integer.toString(expected))) {
                return false;
            }
        }
        return true;
    }

    private static void writeList(Iterator<JsonNode> elements, StringBuilder out) {
        out.append('[');
        boolean first = true;
        while (elements.hasNext()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            write(elements.next(), out);
        }
        out.append(']');
    }

    static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '/' -> out.append("\\/");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e && c != 0x7f) {
                        // Java chars are UTF-16 units already, so characters beyond the BMP come out as surrogate pairs.
                        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void writeNumber(JsonNode node, StringBuilder out) {
        if (node.isIntegralNumber()) {
            BigInteger value = node.bigIntegerValue();
            if (value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0) {
                out.append(value);
                return;
            }
            // PHP reads integers beyond 64 bits as floats.
            writeDouble(value.doubleValue(), out);
            return;
        }
        writeDouble(node.doubleValue(), out);
    }

    /** PHP's {@code php_gcvt(value, 17, '.', 'e')} over the shortest round-trip digits (mode 0). */
    static void writeDouble(double value, StringBuilder out) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            // json_encode fails on these (JSON_ERROR_INF_OR_NAN) and writes 0 with partial output.
            out.append('0');
            return;
        }
        if (value == 0) {
            out.append(1 / value < 0 ? "-0" : "0");
            return;
        }
        if (value < 0) {
            out.append('-');
            value = -value;
        }
        String digits = null;
        int decpt = 0;
        BigDecimal exact = new BigDecimal(value);
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (rounded.doubleValue() == value) {
                BigDecimal stripped = rounded.stripTrailingZeros();
                digits = stripped.unscaledValue().toString();
                decpt = digits.length() - stripped.scale();
                break;
            }
        }
        if (digits == null) {
            throw new IllegalStateException("no round-trip form for a double");
        }
        if (decpt < 0 ? decpt < -3 : decpt > 17) {
            int exponent = decpt - 1;
            out.append(digits.charAt(0)).append('.');
            out.append(digits.length() == 1 ? "0" : digits.substring(1));
            out.append('e').append(exponent < 0 ? '-' : '+').append(Math.abs(exponent));
        } else if (decpt <= 0) {
            out.append("0.");
            for (int i = decpt; i < 0; i++) {
                out.append('0');
            }
            out.append(digits);
        } else if (digits.length() <= decpt) {
            out.append(digits);
            for (int i = digits.length(); i < decpt; i++) {
                out.append('0');
            }
        } else {
            out.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
        }
    }
}
