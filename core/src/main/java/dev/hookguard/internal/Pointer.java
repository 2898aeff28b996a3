package dev.hookguard.internal;

/**
 * A JSON pointer (RFC 6901) built only when a parse fails: parsing a valid body allocates no pointer strings.
 * Internal to Hookguard; not part of its API.
 */
public final class Pointer {

    public static final Pointer ROOT = new Pointer(null, null, -1);

    private final Pointer parent;
    private final String field;
    private final int index;

    private Pointer(Pointer parent, String field, int index) {
        this.parent = parent;
        this.field = field;
        this.index = index;
    }

    public Pointer child(String name) {
        return new Pointer(this, name, -1);
    }

    public Pointer child(int i) {
        return new Pointer(this, null, i);
    }

    @Override
    public String toString() {
        if (parent == null) {
            return "";
        }
        String segment = field == null ? Integer.toString(index) : field.replace("~", "~0").replace("/", "~1");
        return parent + "/" + segment;
    }
}
