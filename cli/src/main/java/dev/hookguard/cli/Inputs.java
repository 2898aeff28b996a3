package dev.hookguard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;

/** Bodies and secrets as every command takes them. */
final class Inputs {

    private Inputs() {
    }

    /** The exact bytes of FILE, or of standard input when there is none (or it is {@code -}). */
    static byte[] body(Path file, InputStream stdin) {
        try {
            if (file == null || "-".equals(file.toString())) {
                return stdin.readAllBytes();
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + (file == null ? "standard input" : file), e);
        }
    }

    /** The secrets given, else those of {@code HOOKGUARD_<SCHEME>_SECRETS} (comma-separated; the first signs). */
    static List<String> secrets(List<String> given, dev.hookguard.signature.SignatureScheme scheme, HookguardCli.Environment environment,
                                CommandLine commandLine) {
        if (given != null && !given.isEmpty()) {
            return given;
        }
        List<String> fromEnvironment = environment.secrets(scheme);
        if (fromEnvironment.isEmpty()) {
            throw new CommandLine.ParameterException(commandLine, "no secret: give --secret or set "
                    + HookguardCli.Environment.secretsVariable(scheme));
        }
        return fromEnvironment;
    }
}
