package dev.hookguard.pms;

import dev.hookguard.mautic.Submission;

/**
 * What {@code --demo}'s marked form submission fails with, on every attempt: in inbox mode the demo sends one, so
 * that it ends dead and the Deliveries page's Dead tab and "Replay all dead" have something to show. Only in demo
 * mode ({@link Intake} checks), and only a submission whose field {@value #FIELD} says {@value #MARKER}; the
 * message is what the Deliveries page shows as its last error, and quotes no payload value but the marker.
 */
final class DemoFailure extends RuntimeException {

    static final String FIELD = "demo";
    static final String MARKER = "fail-me";

    DemoFailure() {
        super("the demo marked this form submission to fail on every attempt (its field " + FIELD + " says " + MARKER
                + "), so that it ends dead; replaying it fails again");
    }

    static boolean isMarked(Submission submission) {
        return submission.result(FIELD).filter(MARKER::equals).isPresent();
    }
}
