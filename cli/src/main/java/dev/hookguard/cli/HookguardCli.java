package dev.hookguard.cli;

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
        subcommands = {SignCommand.class, VerifyCommand.class, SendCommand.class, CommandLine.HelpCommand.class})
public final class HookguardCli implements Runnable {

    /** Where a command reads what it is not given on the command line. */
    record Environment(UnaryOperator<String> variables, InputStream stdin, boolean terminal) {
        String secret() {
            String secret = variables.apply("HOOKGUARD_SECRET");
            return secret == null || secret.isEmpty() ? null : secret;
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
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command: sign, verify or send");
    }

    /** The command line, wired to an environment; tests give their own. */
    static CommandLine commandLine(Environment environment, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new HookguardCli(environment));
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + e.getMessage());
            return 2;
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
