package dev.hookguard.spring;

/** Hookguard's configuration cannot work; the message names the property to set. */
public final class HookguardConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String property;

    HookguardConfigurationException(String property, String message) {
        super(message);
        this.property = property;
    }

    /** The property to fix, e.g. {@code hookguard.mautic.secrets}. */
    public String property() {
        return property;
    }
}
