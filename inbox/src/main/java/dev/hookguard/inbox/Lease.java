package dev.hookguard.inbox;

/**
 * What a claim returns and every settle requires: the row, the claim's token written in it, and the attempt this
 * claim counted. A settle changes the row only while the token is still the row's, so a worker that lost a row
 * (given back, taken over, replayed) can never settle it.
 *
 * @param key     the row's stored key
 * @param token   {@code <instance>/<claim number>}, unique to this claim
 * @param attempt the attempt this claim counted (1 for the first)
 */
record Lease(String key, String token, int attempt) {
}
