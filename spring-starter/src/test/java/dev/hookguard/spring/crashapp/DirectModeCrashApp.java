package dev.hookguard.spring.crashapp;

import dev.hookguard.mautic.FormSubmitted;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A fresh Boot application as a new user writes it in direct mode: H2 in a file (its URL as H2's documentation gives
 * it, no {@code WRITE_DELAY}), the starter's JDBC key store, and a listener writing through {@link JdbcTemplate}.
 * {@link DirectModeCrashTest} runs it in a JVM of its own and kills it.
 */
@SpringBootApplication
public class DirectModeCrashApp {

    private final JdbcTemplate jdbc;

    public DirectModeCrashApp(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public static void main(String[] args) {
        SpringApplication.run(DirectModeCrashApp.class, args);
    }

    @Bean
    ApplicationRunner schema() {
        return args -> jdbc.execute("create table if not exists issue (submission_id bigint primary key)");
    }

    @EventListener
    void on(FormSubmitted form) {
        jdbc.update("insert into issue (submission_id) values (?)", form.submission().id().orElseThrow());
    }
}
