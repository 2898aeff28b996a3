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

    enum Kind { OBJECT, ARRAY, STRING, INT, BIG_INT, FLOAT, TRUE, FALSE, NULL, MISSING }

    /** What {@link #path} answers for an absent field. */
    static final Node MISSING = new Node(Kind.MISSING, null, 0, null, -1, -1);

    private final Kind kind;
    /** FieldMap, List of Node, String, BigInteger or Double by kind; null for the rest. */
    private final Object value;
    private final long number;
    private final byte[] body;
    private final int start;
    /** Exclusive; -1 for scalars, whose end is found only when asked for. */
    private final int end;

    Node(Kind kind, Object value, long number, byte[] body, int start, int end) {
        this.kind = kind;
        this.value = value;
        this.number = number;
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
        return new Node(Kind.OBJECT, new FieldMap(), 0, body, start, end);
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
        return kind == Kind.OBJECT ? fieldMap().get(field) : null;
    }

    /** An element of an array, or null. */
    public Node get(int index) {
        return kind == Kind.ARRAY && index >= 0 && index < list().size() ? list().get(index) : null;
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
        return kind == Kind.OBJECT ? fieldMap().size() : kind == Kind.ARRAY ? list().size() : 0;
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** An object's fields in body order; empty for anything else. */
    public Set<Map.Entry<String, Node>> properties() {
        return kind == Kind.OBJECT ? Collections.unmodifiableMap(fieldMap()).entrySet() : Set.of();
    }

    /** An array's elements, or an object's values, in body order. */
    @Override
    public Iterator<Node> iterator() {
        if (kind == Kind.ARRAY) {
            return Collections.unmodifiableList(list()).iterator();
        }
        if (kind == Kind.OBJECT) {
            return Collections.unmodifiableCollection(fieldMap().values()).iterator();
        }
        return Collections.emptyIterator();
    }

    public boolean isObject() {
        return kind == Kind.OBJECT;
    }

    public boolean isArray() {
        return kind == Kind.ARRAY;
    }

    public boolean isTextual() {
        return kind == Kind.STRING;
    }

    public boolean isNull() {
        return kind == Kind.NULL;
    }

    public boolean isMissingNode() {
        return kind == Kind.MISSING;
    }

    public boolean isIntegralNumber() {
        return kind == Kind.INT || kind == Kind.BIG_INT;
    }

    public boolean isNumber() {
        return isIntegralNumber() || kind == Kind.FLOAT;
    }

    public boolean isBoolean() {
        return kind == Kind.TRUE || kind == Kind.FALSE;
    }

    /** A string, number, boolean or null. */
    public boolean isValueNode() {
        return kind != Kind.OBJECT && kind != Kind.ARRAY && kind != Kind.MISSING;
    }

    /** The string, or null when not one. */
    public String textValue() {
        return kind == Kind.STRING ? (String) value : null;
    }

    /** A scalar as text: strings as they are, numbers and booleans in their JSON form; empty for the rest. */
    public String asText() {
        switch (kind) {
            case STRING:
                return (String) value;
            case INT:
                return Long.toString(number);
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
        return kind == Kind.INT;
    }

    /** A number as a long (truncated); 0 for anything else. */
    public long longValue() {
        switch (kind) {
            case INT:
                return number;
            case BIG_INT:
                return ((BigInteger) value).longValue();
            case FLOAT:
                return ((Double) value).longValue();
            default:
                return 0;
        }
    }

    public BigInteger bigIntegerValue() {
        return kind == Kind.BIG_INT ? (BigInteger) value : BigInteger.valueOf(longValue());
    }

    public double doubleValue() {
        switch (kind) {
            case INT:
                return number;
            case BIG_INT:
                return ((BigInteger) value).doubleValue();
            case FLOAT:
                return (Double) value;
            default:
                return 0;
        }
    }

    public boolean booleanValue() {
        return kind == Kind.TRUE;
    }

    /** For diagnostics in tests only: the kind, never the value. */
    @Override
    public String toString() {
        return "Node[" + kind + "]";
    }
}
