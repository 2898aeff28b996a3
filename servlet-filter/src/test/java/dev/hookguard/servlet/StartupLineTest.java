package dev.hookguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.testsupport.LogCapture;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import java.util.Collections;
import java.util.Enumeration;
import org.junit.jupiter.api.Test;

/** The filter says at startup what it verifies, as the starter does per endpoint; never a secret. */
class StartupLineTest {

    @Test
    void initWritesOneLineNamingTheFilterAndItsSender() throws Exception {
        WebhookVerificationFilter filter = WebhookVerificationFilter.of(WebhookEndpoint.mautic().secrets("startup-line-secret-0123")
                .onAny(batch -> { }).build());
        FilterConfig config = new FilterConfig() {
            @Override
            public String getFilterName() {
                return "hookguard-mautic";
            }

            @Override
            public ServletContext getServletContext() {
                return null;
            }

            @Override
            public String getInitParameter(String name) {
                return null;
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.emptyEnumeration();
            }
        };
        try (LogCapture log = LogCapture.of(WebhookVerificationFilter.class)) {
            filter.init(config);
            assertThat(log.lines()).singleElement().asString().startsWith("INFO Hookguard: filter hookguard-mautic verifies")
                    .contains("mautic").doesNotContain("startup-line-secret");
        }
    }
}
