package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Each database failure is named by its real cause, so an operator knows what to fix. */
class InboxExceptionTest {

    @Test
    void eachCauseIsNamedAndNoneClaimsAdminRights() {
        assertThat(InboxException.cause(new SQLException("x", "08001", new ConnectException("Connection refused")))).contains("connection refused");
        assertThat(InboxException.cause(new SQLException("x", "28P01"))).contains("authentication failed");
        assertThat(InboxException.cause(new SQLException("x", "28000"))).contains("authentication failed");
        assertThat(InboxException.cause(new SQLException("x", "42P01"))).contains("the inbox table does not exist");
        assertThat(InboxException.cause(new SQLException("x", "42S02"))).contains("the inbox table does not exist");
        assertThat(InboxException.cause(new SQLException("Database may be already in use", "90020", 90020))).contains("locked by another process");
        assertThat(InboxException.cause(new SQLException("x", "08006"))).contains("the connection failed");
        assertThat(InboxException.cause(new SQLException("secret value in message", "22001"))).doesNotContain("secret value")
                .doesNotContain("admin rights");
    }
}
