package dev.hookguard.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.idempotency.IdempotencyStore.Claim;
import dev.hookguard.testsupport.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The same contract on H2 and on a real PostgreSQL server. */
class JdbcIdempotencyStoreTest {

    private final StoreContract.MutableClock clock = new StoreContract.MutableClock();

    private static DataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:idem-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return ds;
    }

    private static DataSource postgres() {
        return TestPostgres.dataSource(TestPostgres.newDatabase());
    }

    private JdbcIdempotencyStore store(DataSource ds) {
        JdbcIdempotencyStore store = JdbcIdempotencyStore.builder(ds).clock(clock)
                .inFlightTtl(Duration.ofSeconds(30)).doneTtl(Duration.ofHours(1)).build();
        store.createTableIfMissing();
        return store;
    }

    private void claimDoneReleaseAndExpiry(DataSource ds) {
        JdbcIdempotencyStore store = store(ds);
        StoreContract.claimDoneAndRelease(store);

        assertThat(store.claim("crashed")).isEqualTo(Claim.CLAIMED);
        clock.advance(31_000);
        assertThat(store.claim("crashed")).as("an unfinished claim expires").isEqualTo(Claim.CLAIMED);
        clock.advance(3_600_000);
        assertThat(store.claim("k")).as("a finished key expires").isEqualTo(Claim.CLAIMED);
        assertThat(store.purgeExpired()).isGreaterThanOrEqualTo(1);
        store.createTableIfMissing();
    }

    /** Two stores over two connection pools stand for two processes racing for the same keys. */
    private void racingProcessesClaimEachKeyExactlyOnce(DataSource a, DataSource b) throws Exception {
        JdbcIdempotencyStore first = store(a);
        JdbcIdempotencyStore second = JdbcIdempotencyStore.builder(b).clock(clock).build();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            for (int round = 0; round < 25; round++) {
                String key = "race-" + round;
                List<Callable<Claim>> tasks = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    JdbcIdempotencyStore store = t % 2 == 0 ? first : second;
                    tasks.add(() -> store.claim(key));
                }
                int claimed = 0;
                for (Future<Claim> f : pool.invokeAll(tasks)) {
                    claimed += f.get() == Claim.CLAIMED ? 1 : 0;
                }
                assertThat(claimed).as(key).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void onAnH2FileTheStoreMakesEveryCommitDurableSoAKillLosesNoAnsweredKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        JdbcDataSource file = new JdbcDataSource();
        file.setURL("jdbc:h2:retry:" + dir.resolve("keys").toAbsolutePath());
        file.setUser("sa");
        assertThat(writeDelay(file)).as("H2's default: the last 500 ms of commits live in memory only").isEqualTo("500");
        JdbcIdempotencyStore store = store(file);
        assertThat(store.claim("k1")).isEqualTo(IdempotencyStore.Claim.CLAIMED);
        assertThat(writeDelay(file)).isEqualTo("0");
    }

    @Test
    void anH2FileThatAnInterruptClosesIsReportedOnceWithTheFix(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        for (String fileSystem : List.of("file:", "async:", "retry:")) {
            JdbcDataSource file = new JdbcDataSource();
            file.setURL("jdbc:h2:" + fileSystem + dir.resolve("keys-" + fileSystem.replace(":", "")).toAbsolutePath());
            file.setUser("sa");
            try (dev.hookguard.testsupport.LogCapture log = dev.hookguard.testsupport.LogCapture.of(JdbcIdempotencyStore.class)) {
                JdbcIdempotencyStore store = store(file);
                store.claim("k1");
                store.claim("k2");
                List<String> warnings = log.lines().stream().filter(line -> line.startsWith("WARNING") && line.contains("an interrupt closes")).toList();
                if (!fileSystem.equals("retry:")) {
                    assertThat(warnings).as("once, naming the fix").hasSize(1).allMatch(line -> line.contains("jdbc:h2:retry:"));
                } else {
                    assertThat(warnings).as(fileSystem).isEmpty();
                }
            }
        }
    }

    private static String writeDelay(DataSource ds) throws Exception {
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("select setting_value from information_schema.settings where setting_name = 'WRITE_DELAY'")) {
            return rs.next() ? rs.getString(1) : "?";
        }
    }

    @Test
    void claimDoneReleaseAndExpiryOnH2() {
        claimDoneReleaseAndExpiry(h2());
    }

    @Test
    void racingProcessesClaimEachKeyExactlyOnceOnH2() throws Exception {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:race-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        racingProcessesClaimEachKeyExactlyOnce(ds, ds);
    }

    @Test
    void claimDoneReleaseAndExpiryOnPostgres() {
        claimDoneReleaseAndExpiry(postgres());
    }

    @Test
    void racingProcessesClaimEachKeyExactlyOnceOnPostgres() throws Exception {
        String url = TestPostgres.newDatabase();
        racingProcessesClaimEachKeyExactlyOnce(TestPostgres.dataSource(url), TestPostgres.dataSource(url));
    }

    @Test
    void unreachableDatabaseFailsWithTheStoresOwnException() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:missing-" + UUID.randomUUID() + ";IFEXISTS=TRUE");
        JdbcIdempotencyStore store = JdbcIdempotencyStore.builder(ds).build();
        assertThatThrownBy(() -> store.claim("k")).isInstanceOf(IdempotencyStoreException.class);
    }

    @Test
    void onlyTheOwnerOfAClaimSettlesIt() {
        DataSource ds = h2();
        JdbcIdempotencyStore crashedSlowly = store(ds);
        JdbcIdempotencyStore other = store(ds);
        assertThat(crashedSlowly.claim("done-late")).isEqualTo(Claim.CLAIMED);
        assertThat(crashedSlowly.claim("failed-late")).isEqualTo(Claim.CLAIMED);
        clock.advance(31_000);
        assertThat(other.claim("done-late")).as("taken over after expiry").isEqualTo(Claim.CLAIMED);
        assertThat(other.claim("failed-late")).isEqualTo(Claim.CLAIMED);
        // The first process wakes up late: neither its success nor its failure may settle the other's claims.
        crashedSlowly.markDone("done-late");
        crashedSlowly.release("failed-late");
        assertThat(other.claim("failed-late")).as("not released by the late one").isEqualTo(Claim.IN_FLIGHT);
        other.release("done-late");
        assertThat(other.claim("done-late")).as("released by its owner, not done by the late one").isEqualTo(Claim.CLAIMED);
    }

    @Test
    void keysLongerThanTheColumnAreHashedNotRefused() {
        JdbcIdempotencyStore store = store(h2());
        String longKey = "malcolm:" + "9".repeat(1000);
        assertThat(store.claim(longKey)).isEqualTo(Claim.CLAIMED);
        store.markDone(longKey);
        assertThat(store.claim(longKey)).isEqualTo(Claim.DONE);
        assertThat(store.claim("malcolm:" + "9".repeat(999) + "8")).isEqualTo(Claim.CLAIMED);
        assertThat(JdbcIdempotencyStore.column(longKey)).startsWith("sha256:").hasSize(71);
    }

    @Test
    void tableNameMustBeAPlainIdentifier() {
        assertThatThrownBy(() -> JdbcIdempotencyStore.builder(h2()).table("x; drop table users")).isInstanceOf(IllegalArgumentException.class);
        assertThat(JdbcIdempotencyStore.builder(h2()).table("my_keys").build()).isNotNull();
    }
}
