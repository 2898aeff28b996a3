package dev.hookguard.cli;

import dev.hookguard.inbox.InboxCounts;
import dev.hookguard.inbox.InboxEntry;
import dev.hookguard.inbox.JdbcInbox;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;
import javax.sql.DataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hookguard inbox}: list, show, replay and purge the deliveries a durable inbox holds. */
@Command(name = "inbox", mixinStandardHelpOptions = true, description = "Operate a Hookguard inbox on PostgreSQL or H2.",
        subcommands = {InboxCommand.ListRows.class, InboxCommand.Show.class, InboxCommand.Replay.class, InboxCommand.Purge.class})
final class InboxCommand implements Runnable {

    @ParentCommand
    HookguardCli parent;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: list, show, replay or purge");
    }

    /** Where the inbox is: every subcommand takes these. */
    static final class Database {
        @Option(names = "--jdbc-url", required = true, description = "e.g. jdbc:postgresql://db:5432/app or jdbc:h2:retry:/var/app/db;AUTO_SERVER=TRUE")
        String url;

        @Option(names = "--user", description = "the database user")
        String user;

        @Option(names = "--password", description = "the database password (default: $HOOKGUARD_JDBC_PASSWORD)")
        String password;

        @Option(names = "--table", defaultValue = "hookguard_inbox", description = "the inbox table (default: ${DEFAULT-VALUE})")
        String table;

        JdbcInbox open(HookguardCli.Environment environment) {
            String secret = password != null ? password : environment.variables().apply("HOOKGUARD_JDBC_PASSWORD");
            return JdbcInbox.builder(new UrlDataSource(url, user, secret)).table(table).build();
        }
    }

    /** A page of the listing: the CLI never holds more than this many rows, whatever --limit says. */
    static final int PAGE = 500;

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The rows in one state, newest first, and the counts.")
    static final class ListRows implements Runnable {
        @ParentCommand
        InboxCommand inbox;
        @Spec
        CommandSpec spec;
        @Mixin
        Database database = new Database();

        @Option(names = "--state", defaultValue = "dead", description = "pending, running, done or dead (default: ${DEFAULT-VALUE})")
        String state;

        @Option(names = "--limit", defaultValue = "50", description = "at most this many (default: ${DEFAULT-VALUE})")
        int limit;

        @Override
        public void run() {
            JdbcInbox open = database.open(inbox.parent.environment());
            PrintWriter out = spec.commandLine().getOut();
            InboxCounts counts = open.counts();
            out.printf("pending %d  running %d  done %d  dead %d  oldest pending %ds%n", counts.pending(), counts.running(), counts.done(),
                    counts.dead(), counts.oldestPendingAge().toSeconds());
            JdbcInbox.State wanted;
            try {
                wanted = JdbcInbox.State.valueOf(state.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--state is pending, running, done or dead, not " + state);
            }
            long before = Long.MAX_VALUE;
            int left = limit;
            while (left > 0) {
                List<InboxEntry> page = open.list(java.util.EnumSet.of(wanted), before, Math.min(PAGE, left));
                for (InboxEntry entry : page) {
                    out.printf("%-8s %-7s %2d  %s  %s  %s%n", entry.scheme().id(), entry.state(), entry.attempts(), entry.nextAttemptAt(), entry.key(),
                            entry.failure().map(f -> "| " + f.type() + f.message().map(m -> ": " + firstLine(m)).orElse("")).orElse(""));
                }
                out.flush();
                if (page.size() < Math.min(PAGE, left)) {
                    break;
                }
                left -= page.size();
                before = page.get(page.size() - 1).id();
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One row: its state, attempts, last error and headers.")
    static final class Show implements Runnable {
        @ParentCommand
        InboxCommand inbox;
        @Spec
        CommandSpec spec;
        @Mixin
        Database database = new Database();

        @Parameters(paramLabel = "KEY", description = "the delivery key")
        String key;

        @Option(names = "--body", description = "print the stored body too (it may hold personal data)")
        boolean body;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            JdbcInbox open = database.open(inbox.parent.environment());
            InboxEntry entry = open.show(key).orElseThrow(() -> new IllegalStateException("no inbox row " + key));
            out.println("key:          " + entry.key());
            out.println("sender:       " + entry.scheme().id() + (entry.tenant().isEmpty() ? "" : " (tenant " + entry.tenant() + ")"));
            out.println("state:        " + entry.state() + ", " + entry.attempts() + " attempt(s)");
            out.println("received:     " + entry.receivedAt());
            out.println("next attempt: " + entry.nextAttemptAt());
            entry.doneAt().ifPresent(at -> out.println("done:         " + at));
            entry.eventType().ifPresent(type -> out.println("event type:   " + type));
            entry.failure().ifPresent(f -> out.println("last error:   " + f.type() + f.message().map(m -> ": " + firstLine(m)).orElse("")));
            byte[] stored = open.body(key).orElse(new byte[0]);
            out.println("body:         " + stored.length + " bytes" + (body ? "" : " (--body prints it)"));
            if (body) {
                out.println(new String(stored, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, description = "Make dead (or done) rows due again.")
    static final class Replay implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        InboxCommand inbox;
        @Spec
        CommandSpec spec;
        @Mixin
        Database database = new Database();

        @Parameters(arity = "0..*", paramLabel = "KEY", description = "the delivery keys")
        List<String> keys = List.of();

        @Option(names = "--all-dead", description = "every dead row")
        boolean allDead;

        @Override
        public Integer call() {
            if (keys.isEmpty() == !allDead) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give delivery keys or --all-dead, not both");
            }
            JdbcInbox open = database.open(inbox.parent.environment());
            if (allDead) {
                // One statement, whatever the table holds: no row is read into this process.
                spec.commandLine().getOut().println(open.replayDead() + " replayed");
                return 0;
            }
            List<String> targets = keys;
            Bar bar = new Bar(spec.commandLine().getErr(), inbox.parent.environment().terminal(), targets.size());
            int replayed = 0;
            for (String key : targets) {
                if (open.replay(key)) {
                    replayed++;
                } else {
                    spec.commandLine().getErr().println("no dead or done row " + key);
                }
                bar.step();
            }
            bar.finish();
            spec.commandLine().getOut().println(replayed + " replayed");
            return replayed == targets.size() ? 0 : 1;
        }
    }

    @Command(name = "purge", mixinStandardHelpOptions = true, description = "Delete rows done longer ago than the age given.")
    static final class Purge implements Runnable {
        @ParentCommand
        InboxCommand inbox;
        @Spec
        CommandSpec spec;
        @Mixin
        Database database = new Database();

        @Option(names = "--older-than-days", required = true, description = "done at least this many days ago")
        int days;

        @Override
        public void run() {
            int purged = database.open(inbox.parent.environment()).purgeDone(Duration.ofDays(days));
            spec.commandLine().getOut().println(purged + " purged");
        }
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        return line.length() > 120 ? line.substring(0, 119) + "…" : line;
    }

    /** A progress bar on the terminal's error stream for long runs (20 rows and more); nothing otherwise. */
    static final class Bar {
        private final PrintWriter err;
        private final boolean shown;
        private final int total;
        private int done;

        Bar(PrintWriter err, boolean terminal, int total) {
            this.err = err;
            this.shown = terminal && total >= 20;
            this.total = total;
        }

        void step() {
            done++;
            if (shown) {
                int width = 30;
                int filled = done * width / Math.max(1, total);
                err.print("\r\033[K[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total);
                err.flush();
            }
        }

        void finish() {
            if (shown) {
                err.print("\r\033[K");
                err.flush();
            }
        }
    }

    /** A DataSource over DriverManager: the CLI needs one connection at a time and no pool. */
    record UrlDataSource(String url, String user, String password) implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            return user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password);
        }

        @Override
        public Connection getConnection(String username, String pass) throws SQLException {
            return DriverManager.getConnection(url, username, pass);
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
            DriverManager.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() {
            return DriverManager.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }
}
