package dev.hookguard.delivery;

/** Where a body read takes its time from: the system's monotonic clock, or a clock a test moves. */
@FunctionalInterface
interface ReadClock {

    ReadClock SYSTEM = System::nanoTime;

    /** Nanoseconds from an arbitrary origin, as {@link System#nanoTime()}. */
    long nanoTime();
}
