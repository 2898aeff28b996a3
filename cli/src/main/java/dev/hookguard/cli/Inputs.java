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

    /** The secrets given, else HOOKGUARD_SECRET. */
    static List<String> secrets(List<String> given, HookguardCli.Environment environment, CommandLine commandLine) {
        if (given != null && !given.isEmpty()) {
            return given;
        }
        String fromEnvironment = environment.secret();
        if (fromEnvironment == null) {
            throw new CommandLine.ParameterException(commandLine, "no secret: give --secret or set HOOKGUARD_SECRET");
        }
        return List.of(fromEnvironment);
    }
}
