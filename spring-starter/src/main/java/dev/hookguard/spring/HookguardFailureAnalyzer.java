package dev.hookguard.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a Hookguard configuration failure into Spring Boot's "Description / Action" report. */
final class HookguardFailureAnalyzer extends AbstractFailureAnalyzer<HookguardConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, HookguardConfigurationException cause) {
        String variable = cause.property().toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
        return new FailureAnalysis(cause.getMessage(),
                "Set " + cause.property() + " (or the environment variable " + variable + "), or disable the endpoint with "
                        + cause.property().replace(".secrets", ".enabled") + "=false.",
                cause);
    }
}
