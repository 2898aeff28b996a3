package dev.hookguard.cli;

import dev.hookguard.signature.SignatureScheme;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code hookguard}: sign, verify and send Mautic and Malcolm! webhooks from a terminal. */
@Command(name = "hookguard", mixinStandardHelpOptions = true, version = "hookguard 0.1.0",
        description = "Sign, verify and send Mautic and Malcolm! webhooks byte for byte.",
        subcommands = {SignCommand.class, VerifyCommand.class, SendCommand.class, InboxCommand.class, CommandLine.HelpCommand.class})
public final class HookguardCli implements Runnable {

    /** Where a command reads what it is not given on the command line. */
    record Environment(UnaryOperator<String> variables, InputStream stdin, boolean terminal) {
        /** {@code HOOKGUARD_MAUTIC_SECRETS} or {@code HOOKGUARD_MALCOLM_SECRETS}: the names the libraries read too. */
        static String secretsVariable(SignatureScheme scheme) {
            return "HOOKGUARD_" + scheme.id().toUpperCase(java.util.Locale.ROOT) + "_SECRETS";
        }

        /** The comma-separated secrets of the scheme's variable, in order; empty when it is unset. */
        java.util.List<String> secrets(SignatureScheme scheme) {
            String value = variables.apply(secretsVariable(scheme));
            if (value == null || value.isBlank()) {
                return java.util.List.of();
            }
            return java.util.Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
    }

    private final Environment environment;

    HookguardCli(Environment environment) {
        this.environment = environment;
    }

    Environment environment() {
        return environment;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command: sign, verify, send or inbox");
    }

    /** The command line, wired to an environment; tests give their own. */
    static CommandLine commandLine(Environment environment, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new HookguardCli(environment));
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // 2 for a usage error (picocli's own, with the usage text); 1 for a runtime error, its cause in one line, no usage.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + e.getMessage());
            return 1;
        });
        return cli;
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        Environment environment = new Environment(env::get, System.in, System.console() != null);
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(commandLine(environment, out, err).execute(args));
    }
}
