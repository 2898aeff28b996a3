package dev.hookguard.internal;

import dev.hookguard.payload.RawJson;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One parsed JSON value and where it starts in the body, so that any element can be handed out as the exact bytes
 * the sender wrote ({@link #raw()}). Hookguard's own tree, so that no JSON library's types reach the public API;
 * its methods mirror the few of Jackson's {@code JsonNode} that the parsers use.
 */
public final class Node implements Iterable<Node> {

    // Kinds as bytes rather than an enum: with them a node takes 32 bytes, not 40, and a body holds hundreds of nodes.
    static final byte OBJECT = 0;
    static final byte ARRAY = 1;
    static final byte STRING = 2;
    static final byte INT = 3;
    static final byte BIG_INT = 4;
    static final byte FLOAT = 5;
    static final byte TRUE = 6;
    static final byte FALSE = 7;
    static final byte NULL = 8;
    static final byte MISSING_KIND = 9;

    /** What {@link #path} answers for an absent field. */
    static final Node MISSING = new Node(MISSING_KIND, null, null, -1, -1);

    private final byte kind;
    /** FieldMap, List of Node, String, Long, BigInteger or Double by kind; null for the rest. */
    private final Object value;
    private final byte[] body;
    private final int start;
    /** Exclusive; -1 for scalars, whose end is found only when asked for. */
    private final int end;

    Node(byte kind, Object value, byte[] body, int start, int end) {
        this.kind = kind;
        this.value = value;
        this.body = body;
        this.start = start;
        this.end = end;
    }

    /** The element's exact bytes. */
    public RawJson raw() {
        if (body == null) {
            throw new IllegalStateException("a value with no bytes");
        }
        return RawJsonAccess.slice(body, start, end);
    }

    /** Where the element starts in the body. */
    public int start() {
        return start;
    }

    /** Where the element ends in the body (exclusive). */
    public int end() {
        return end >= 0 ? end : start + raw().length();
    }

    /** Adds the element's exact bytes to a digest. */
    public void digestInto(MessageDigest digest) {
        digest.update(body, start, end() - start);
    }

    /** The same bytes read as an object: PHP's {@code json_encode} writes an empty object as {@code []}. */
    Node asEmptyObject() {
        return new Node(OBJECT, FieldMap.EMPTY, body, start, end);
    }

    @SuppressWarnings("unchecked")
    private FieldMap fieldMap() {
        return (FieldMap) value;
    }

    @SuppressWarnings("unchecked")
    private List<Node> list() {
        return (List<Node>) value;
    }

    /** A field of an object, or null when absent or when this is not an object. */
    public Node get(String field) {
        return kind == OBJECT ? fieldMap().get(field) : null;
    }

    /** An element of an array, or null. */
    public Node get(int index) {
        return kind == ARRAY && index >= 0 && index < list().size() ? list().get(index) : null;
    }

    /** Like {@link #get(String)}, with a missing node in place of null. */
    public Node path(String field) {
        Node node = get(field);
        return node == null ? MISSING : node;
    }

    public boolean has(String field) {
        return get(field) != null;
    }

    /** Fields of an object or elements of an array; 0 for scalars. */
    public int size() {
        return kind == OBJECT ? fieldMap().size() : kind == ARRAY ? list().size() : 0;
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** An object's fields in body order; empty for anything else. */
    public Set<Map.Entry<String, Node>> properties() {
        return kind == OBJECT ? fieldMap().entrySet() : Set.of();
    }

    /** An array's elements, or an object's values, in body order. */
    @Override
    public Iterator<Node> iterator() {
        if (kind == ARRAY) {
            return Collections.unmodifiableList(list()).iterator();
        }
        if (kind == OBJECT) {
            return fieldMap().values().iterator();
        }
        return Collections.emptyIterator();
    }

    public boolean isObject() {
        return kind == OBJECT;
    }

    public boolean isArray() {
        return kind == ARRAY;
    }

    public boolean isTextual() {
        return kind == STRING;
    }

    public boolean isNull() {
        return kind == NULL;
    }

    public boolean isMissingNode() {
        return kind == MISSING_KIND;
    }

    public boolean isIntegralNumber() {
        return kind == INT || kind == BIG_INT;
    }

    public boolean isNumber() {
        return isIntegralNumber() || kind == FLOAT;
    }

    public boolean isBoolean() {
        return kind == TRUE || kind == FALSE;
    }

    /** A string, number, boolean or null. */
    public boolean isValueNode() {
        return kind != OBJECT && kind != ARRAY && kind != MISSING_KIND;
    }

    /** The string, or null when not one. */
    public String textValue() {
        return kind == STRING ? (String) value : null;
    }

    /** A scalar as text: strings as they are, numbers and booleans in their JSON form; empty for the rest. */
    public String asText() {
        switch (kind) {
            case STRING:
                return (String) value;
            case INT:
            case BIG_INT:
            case FLOAT:
                return value.toString();
            case TRUE:
                return "true";
            case FALSE:
                return "false";
            case NULL:
                return "null";
            default:
                return "";
        }
    }

    public boolean canConvertToLong() {
        return kind == INT;
    }

    /** A number as a long (truncated); 0 for anything else. */
    public long longValue() {
        switch (kind) {
            case INT:
                return (Long) value;
            case BIG_INT:
                return ((BigInteger) value).longValue();
            case FLOAT:
                return ((Double) value).longValue();
            default:
                return 0;
        }
    }

    public BigInteger bigIntegerValue() {
        return kind == BIG_INT ? (BigInteger) value : BigInteger.valueOf(longValue());
    }

    public double doubleValue() {
        switch (kind) {
            case INT:
                return (Long) value;
            case BIG_INT:
                return ((BigInteger) value).doubleValue();
            case FLOAT:
                return (Double) value;
            default:
                return 0;
        }
    }

    public boolean booleanValue() {
        return kind == TRUE;
    }

    /** For diagnostics in tests only: the kind, never the value. */
    @Override
    public String toString() {
        return "Node[kind " + kind + "]";
    }
}
