package dev.hookguard.pms;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A real handler failure the test can end: while open, the {@code issue} table is renamed away, so handling a
 * form submission or a Malcolm! session fails with a {@code BadSqlGrammarException} (not a data error, which
 * {@code Intake} would skip) and its inbox row, with one attempt allowed, ends dead. Closing it is the fix
 * (the missing table is back), after which a replay succeeds.
 */
final class IssueTableOutage implements AutoCloseable {

    private final JdbcTemplate jdbc;
    private boolean open = true;

    IssueTableOutage(PmsApp app) {
        this.jdbc = app.context.getBean(JdbcTemplate.class);
        jdbc.execute("alter table issue rename to issue_during_outage");
    }

    @Override
    public void close() {
        if (open) {
            jdbc.execute("alter table issue_during_outage rename to issue");
            open = false;
        }
    }
}
