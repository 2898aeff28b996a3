package dev.hookguard.mautic;

import dev.hookguard.internal.Node;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A contact's custom field values by alias, read from its {@code fields} groups when first used: a contact carries
 * dozens of fields that most handlers never look at, and building the map would cost as much as parsing them.
 * Unmodifiable.
 */
final class Fields extends AbstractMap<String, String> {

    private Node entity;
    private volatile Map<String, String> values;

    Fields(Node entity) {
        this.entity = entity;
    }

    private Map<String, String> loaded() {
        Map<String, String> v = values;
        if (v == null) {
            synchronized (this) {
                v = values;
                if (v == null) {
                    v = read(entity);
                    values = v;
                    entity = null; // the tree is no longer needed
                }
            }
        }
        return v;
    }

    /**
     * Grouped fields ({@code core}, {@code social}, ...) are what webhooks send; {@code all}, a flat alias to value map
     * in API payloads, wins where both name an alias. Empty and null values are left out.
     */
    private static Map<String, String> read(Node entity) {
        Map<String, String> values = new LinkedHashMap<>();
        Node fields = entity.get("fields");
        if (fields == null || !fields.isObject()) {
            return Map.of();
        }
        Node all = fields.get("all");
        if (all != null && all.isObject()) {
            all.properties().forEach(f -> text(f.getValue(), values, f.getKey()));
        }
        fields.properties().forEach(group -> {
            if (group.getValue().isObject() && !"all".equals(group.getKey())) {
                group.getValue().properties().forEach(f -> {
                    if (f.getValue().isObject()) {
                        text(f.getValue().get("value"), values, f.getKey());
                    }
                });
            }
        });
        return Collections.unmodifiableMap(values);
    }

    private static void text(Node value, Map<String, String> values, String alias) {
        if (value != null && value.isValueNode() && !value.isNull() && !value.asText().isEmpty()) {
            values.putIfAbsent(alias, value.asText());
        }
    }

    @Override
    public String get(Object key) {
        return loaded().get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return loaded().containsKey(key);
    }

    @Override
    public int size() {
        return loaded().size();
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return loaded().entrySet();
    }
}
