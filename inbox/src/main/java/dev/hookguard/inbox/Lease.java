package dev.hookguard.inbox;

/**
 * What a claim returns and every settle requires: the row, the claim's token written in it, and the attempt this
 * claim counted. A settle changes the row only while the token is still the row's, so a worker that lost a row
 * (given back, taken over, replayed) can never settle it.
 *
 * @param key           the row's stored key
 * @param token         {@code <instance>/<claim number>/batch}, or {@code .../alone} for a row running alone in its
 *                      instance ({@link Run}); unique to this claim
 * @param attempt       the attempt this claim counted (1 for the first)
 * @param lostItsWorker whether the row's last attempt lost its worker (a process that died, perhaps of this very
 *                      row): it runs alone, so that a row that kills its instance takes no neighbour with it
 */
record Lease(String key, String token, int attempt, boolean lostItsWorker) {

    /** How a row ran, as its token says: what a lost worker means for it. */
    enum Run {
        /** Claimed in a batch, while other batches of its instance may run: a lost worker is no proof against it. */
        BATCH,
        /** Alone in its instance, nothing else running: a lost worker is its own doing, and counted. */
        ALONE,
        /** An earlier release's token ({@code <instance>/<claim number>}), which does not say. */
        UNKNOWN
    }

    static String batchToken(String instance, long claim) {
        return instance + "/" + claim + "/batch";
    }

    static String aloneToken(String instance, long claim) {
        return instance + "/" + claim + "/alone";
    }

    static Run run(String token) {
        if (token == null) {
            return Run.UNKNOWN;
        }
        return token.endsWith("/alone") ? Run.ALONE : token.endsWith("/batch") ? Run.BATCH : Run.UNKNOWN;
    }
}
