package dev.hookguard.pms;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Component;

/** Issues and received events, in plain SQL that H2 and PostgreSQL both speak. */
@Component
class Repository {

    private final JdbcTemplate jdbc;

    Repository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records an event unless its idempotency key is already there.
     *
     * @return the new row's id, or empty for an event received before
     */
    Optional<Long> recordEvent(String rawKey, String sender, String rawType, String rawJson, OffsetDateTime eventTimestamp) {
        String key = Columns.key(rawKey);
        String type = Columns.text(rawType, Columns.EVENT_TYPE);
        KeyHolder id = new GeneratedKeyHolder();
        int rows = jdbc.update(connection -> {
            var statement = connection.prepareStatement(
                    "insert into received_event (idempotency_key, sender, event_type, raw_json, event_timestamp, received_at) "
                            + "select ?, ?, ?, ?, ?, ? where not exists (select 1 from received_event where idempotency_key = ?)",
                    new String[] {"id"});
            statement.setString(1, key);
            statement.setString(2, sender);
            statement.setString(3, type);
            statement.setString(4, rawJson);
            statement.setObject(5, eventTimestamp);
            statement.setObject(6, OffsetDateTime.now());
            statement.setString(7, key);
            return statement;
        }, id);
        return rows == 0 ? Optional.empty() : Optional.of(id.getKey().longValue());
    }

    long createIssue(String title, String description, String source, String externalKey, String reporter) {
        KeyHolder id = new GeneratedKeyHolder();
        jdbc.update(connection -> {
            var statement = connection.prepareStatement(
                    "insert into issue (title, description, source, external_key, reporter, created_at) values (?, ?, ?, ?, ?, ?)",
                    new String[] {"id"});
            statement.setString(1, Columns.text(title, Columns.TITLE));
            statement.setString(2, description);
            statement.setString(3, source);
            statement.setString(4, Columns.key(externalKey));
            statement.setString(5, Columns.text(reporter, Columns.REPORTER));
            statement.setObject(6, OffsetDateTime.now());
            return statement;
        }, id);
        return id.getKey().longValue();
    }

    void linkIssue(long eventId, long issueId) {
        jdbc.update("update received_event set issue_id = ? where id = ?", issueId, eventId);
    }

    List<Issue> issues() {
        return jdbc.query("select * from issue order by created_at desc, id desc", Repository::issue);
    }

    /** Issues newest first, one page. */
    PageOf<Issue> issues(int page, int size) {
        List<Issue> content = jdbc.query("select * from issue order by created_at desc, id desc limit ? offset ?", Repository::issue,
                size, (long) page * size);
        return PageOf.of(content, page, size, count("issue"));
    }

    /** Received events newest first, one page. */
    PageOf<ReceivedEvent> events(int page, int size) {
        List<ReceivedEvent> content = jdbc.query("select * from received_event order by received_at desc, id desc limit ? offset ?",
                Repository::event, size, (long) page * size);
        return PageOf.of(content, page, size, count("received_event"));
    }

    Optional<Issue> issue(long id) {
        return jdbc.query("select * from issue where id = ?", Repository::issue, id).stream().findFirst();
    }

    Map<String, Long> eventCountsByType() {
        Map<String, Long> counts = new LinkedHashMap<>();
        jdbc.query("select event_type, count(*) as n from received_event group by event_type order by event_type",
                rs -> {
                    counts.put(rs.getString("event_type"), rs.getLong("n"));
                });
        return counts;
    }

    long count(String table) {
        if (!table.equals("issue") && !table.equals("received_event")) {
            throw new IllegalArgumentException(table);
        }
        Long n = jdbc.queryForObject("select count(*) from " + table, Long.class);
        return n == null ? 0 : n;
    }

    private static Issue issue(ResultSet rs, int row) throws SQLException {
        return new Issue(rs.getLong("id"), rs.getString("title"), rs.getString("description"), rs.getString("source"),
                rs.getString("external_key"), rs.getString("reporter"), rs.getObject("created_at", OffsetDateTime.class));
    }

    private static ReceivedEvent event(ResultSet rs, int row) throws SQLException {
        long issueId = rs.getLong("issue_id");
        boolean noIssue = rs.wasNull();
        return new ReceivedEvent(rs.getLong("id"), rs.getString("sender"), rs.getString("event_type"), rs.getString("idempotency_key"),
                rs.getString("raw_json"), rs.getObject("event_timestamp", OffsetDateTime.class),
                rs.getObject("received_at", OffsetDateTime.class), noIssue ? null : issueId);
    }
}
