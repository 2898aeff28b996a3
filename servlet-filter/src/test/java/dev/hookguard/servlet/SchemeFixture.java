package dev.hookguard.servlet;

import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** Bodies and headers exactly as each reference sender makes them, for requests built by hand. */
enum SchemeFixture {
    MAUTIC(SignatureScheme.MAUTIC, "/webhooks/mautic"),
    MALCOLM(SignatureScheme.MALCOLM, "/webhooks/malcolm");

    static final String SECRET = "filter-secret-3f9a2c";

    final SignatureScheme scheme;
    final String path;

    SchemeFixture(SignatureScheme scheme, String path) {
        this.scheme = scheme;
        this.path = path;
    }

    byte[] body(int seq) {
        return this == MAUTIC
                ? MauticSender.queueBody(List.of(SampleEvents.of("mautic.form_on_submit", seq)))
                : MalcolmSender.body(SampleEvents.malcolmSession(seq, true));
    }

    /** A body the other sender would send: signed fine, but not a payload of this one. */
    byte[] otherSendersBody(int seq) {
        return this == MAUTIC ? MALCOLM.body(seq) : MAUTIC.body(seq);
    }

    Map<String, String> headers(byte[] body, String secret) {
        URI any = URI.create("http://127.0.0.1/");
        return this == MAUTIC
                ? MauticSender.builder(any, secret).build().headersFor(body)
                : MalcolmSender.builder(any, secret).instanceId("abcdefghij").build().headersFor(body);
    }
}
