package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticPayloads;
import dev.hookguard.mautic.Submission;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IntakeTitleTest {

    private static Submission submission(String lead, String results) {
        String body = "{\"mautic.form_on_submit\":[{\"submission\":{\"id\":1,\"form\":{\"id\":4,\"name\":\"Contact us\"},\"lead\":" + lead
                + ",\"results\":" + results + "},\"timestamp\":\"2026-01-01T00:00:00+00:00\"}]}";
        return MauticPayloads.parse(body.getBytes(StandardCharsets.UTF_8)).first(FormSubmitted.class).orElseThrow().submission();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"id\":7,\"fields\":{\"core\":{\"firstname\":{\"value\":\"Ada\"},\"lastname\":{\"value\":\"Lovelace\"}}}}|{\"email\":\"a@x.io\"}|Contact us: Ada Lovelace",
        "{\"id\":7,\"fields\":[]}|{\"name\":\"Grace Hopper\",\"email\":\"g@x.io\"}|Contact us: Grace Hopper",
        "{\"id\":7,\"fields\":{\"core\":{\"email\":{\"value\":\"c@x.io\"}}}}|[]|Contact us: c@x.io",
        "{\"id\":7,\"fields\":[]}|{\"email\":\"r@x.io\"}|Contact us: r@x.io",
        "{\"id\":7,\"fields\":[]}|[]|Contact us: contact #7",
        "null|[]|Contact us: anonymous"})
    void titleIsFormNameAndSubmitterByNameElseEmailElseContactId(String lead, String results, String title) {
        assertThat(Intake.title(submission(lead, results))).isEqualTo(title);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"id\":7,\"fields\":{\"core\":{\"email\":{\"value\":\"lead@x.io\"}}}}|{\"email\":\"form@x.io\"}|lead@x.io",
        "{\"id\":7,\"fields\":[]}|{\"email\":\"form@x.io\"}|form@x.io"})
    void reporterIsTheContactsEmailElseTheSubmittedOne(String lead, String results, String reporter) {
        assertThat(Intake.reporter(submission(lead, results))).isEqualTo(reporter);
    }

    @org.junit.jupiter.api.Test
    void descriptionListsTheResultsInOrder() {
        assertThat(Intake.description(submission("null", "{\"b\":\"2\",\"a\":1,\"c\":[\"x\",\"y\"],\"d\":null}")))
                .isEqualTo("b: 2\na: 1\nc: x, y\nd: ");
    }
}
