package dev.hookguard.signature;

/**
 * Decodes the 32-byte digest of a signature header written the way both senders write it (standard base64, 44
 * characters with one {@code =}, after the scheme's prefix) into a reused buffer, with no allocation. Anything else
 * (whitespace, a missing pad, another length) is left to {@link java.util.Base64}, which gives the same bytes or the
 * same refusal: this is a fast path, never a different rule.
 */
final class Base64Digest {

    private static final int[] SEXTETS = new int[128];

    static {
        java.util.Arrays.fill(SEXTETS, -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            SEXTETS[alphabet.charAt(i)] = i;
        }
    }

    private Base64Digest() {
    }

    /** True when {@code header} is {@code prefix} plus a canonical base64 32-byte digest, now in {@code out}. */
    static boolean decode(String header, String prefix, byte[] out) {
        int start = prefix.length();
        if (header.length() != start + 44 || header.charAt(start + 43) != '=' || !header.startsWith(prefix)) {
            return false;
        }
        int o = 0;
        int i = start;
        // 10 groups of 4 characters -> 30 bytes, then 3 characters -> 2 bytes.
        for (int group = 0; group < 10; group++, i += 4) {
            int bits = sextet(header, i) << 18 | sextet(header, i + 1) << 12 | sextet(header, i + 2) << 6 | sextet(header, i + 3);
            if (bits < 0) {
                return false;
            }
            out[o++] = (byte) (bits >> 16);
            out[o++] = (byte) (bits >> 8);
            out[o++] = (byte) bits;
        }
        int last = sextet(header, i) << 12 | sextet(header, i + 1) << 6 | sextet(header, i + 2);
        // The last character's two low bits carry no data; a canonical encoder writes them as zero.
        if (last < 0 || (last & 0b11) != 0) {
            return false;
        }
        out[o++] = (byte) (last >> 10);
        out[o] = (byte) (last >> 2);
        return true;
    }

    /** The character's 6 bits, or -1, which stays negative however far (up to 18 bits) it is shifted and OR-ed. */
    private static int sextet(String s, int index) {
        char c = s.charAt(index);
        return c < 128 ? SEXTETS[c] : -1;
    }
}
