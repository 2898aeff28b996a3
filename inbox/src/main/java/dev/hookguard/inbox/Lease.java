package dev.hookguard.inbox;

/**
 * What a claim returns and every settle requires: the row, the claim's token written in it, and the attempt this
 * claim counted. A settle changes the row only while the token is still the row's, so a worker that lost a row
 * (given back, taken over, replayed) can never settle it.
 *
 * @param key           the row's stored key
 * @param token         {@code <instance>/<claim number>/<rows claimed together>}, unique to this claim
 * @param attempt       the attempt this claim counted (1 for the first)
 * @param lostItsWorker whether the row's last attempt lost its worker (a process that died, perhaps of this very
 *                      row): it is handled alone, so that a row that kills its instance takes no neighbour with it
 */
record Lease(String key, String token, int attempt, boolean lostItsWorker) {

    /**
     * How many rows the claim that wrote this token took together, or -1 for a token without the count (written by
     * an earlier release, as {@code <instance>/<claim number>}). The rescuer needs it whole: a pass may find only
     * part of a claim (more orphans than its limit, or another instance's rescuer holding the rest).
     */
    static int claimedTogether(String token) {
        if (token == null) {
            return -1;
        }
        int last = token.lastIndexOf('/');
        if (last <= 0 || token.lastIndexOf('/', last - 1) < 0) {
            return -1;
        }
        try {
            return Integer.parseInt(token.substring(last + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
