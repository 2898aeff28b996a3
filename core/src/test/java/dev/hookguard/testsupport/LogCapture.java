package dev.hookguard.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What one logger writes (System.Logger goes to java.util.logging by default), while a test runs: close it after. */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final Level previous;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private LogCapture(String name) {
        this.logger = Logger.getLogger(name);
        this.previous = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(this);
    }

    public static LogCapture of(Class<?> type) {
        return new LogCapture(type.getName());
    }

    /** Each record as {@code LEVEL message}, followed by its throwable's stack trace as a logger prints it, if any. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void publish(LogRecord record) {
        String trace = "";
        if (record.getThrown() != null) {
            java.io.StringWriter text = new java.io.StringWriter();
            record.getThrown().printStackTrace(new java.io.PrintWriter(text));
            trace = "\n" + text;
        }
        lines.add(record.getLevel().getName() + " " + record.getMessage() + trace);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previous);
    }
}
