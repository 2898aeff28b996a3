package dev.hookguard.delivery.spi;

import dev.hookguard.delivery.Headers;
import dev.hookguard.signature.SignatureScheme;

/**
 * One sender's handlers, for an inbox's workers (the inbox SPI): the endpoint's typed handlers over a stored part,
 * without the endpoint. The inbox never calls the endpoint, and the endpoint calls the inbox only to store.
 */
public interface StoredHandler {

    /** The sender whose stored parts these handlers take. */
    SignatureScheme scheme();

    /**
     * Handles one stored part: parses its body, narrows it to the part with {@code key} when it holds more than one
     * (a test payload, or a row stored whole by an earlier version), and runs the handlers on it, as in direct mode.
     *
     * @return true when a handler took it, false when none did (a configuration to fix, then replay)
     * @throws Exception what a handler threw, for the inbox to retry or dead-letter; logged once with its stack trace
     */
    boolean handle(byte[] body, Headers headers, String tenant, String key) throws Exception;
}
