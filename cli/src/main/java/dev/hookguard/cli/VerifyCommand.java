package dev.hookguard.cli;

import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.SignatureVerificationException;
import dev.hookguard.signature.SignatureVerifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check a signature header value against a body.",
                "Exit 0 and 'valid' when it verifies; exit 1 and the reason (missing, malformed, mismatch) when not."})
final class VerifyCommand implements Callable<Integer> {

    @ParentCommand
    private HookguardCli parent;

    @Spec
    private CommandSpec spec;

    @Option(names = "--scheme", required = true, description = "mautic or malcolm")
    private String scheme;

    @Option(names = "--secret", description = "a current secret; repeat while rotating (default: $HOOKGUARD_MAUTIC_SECRETS or $HOOKGUARD_MALCOLM_SECRETS, comma-separated)")
    private List<String> secrets;

    @Option(names = "--signature", required = true, description = "the signature header's value as received")
    private String signature;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "the body (default: standard input)")
    private Path file;

    @Override
    public Integer call() {
        SignatureScheme signatureScheme = SignatureScheme.named(scheme);
        SignatureVerifier verifier = SignatureVerifier.builder(signatureScheme)
                .secrets(Inputs.secrets(secrets, signatureScheme, parent.environment(), spec.commandLine()))
                .build();
        byte[] body = Inputs.body(file, parent.environment().stdin());
        PrintWriter out = spec.commandLine().getOut();
        try {
            verifier.verify(body, signature);
            out.println("valid");
            return 0;
        } catch (SignatureVerificationException e) {
            // The reason only: never what the signature should have been.
            out.println("invalid: " + e.reason().name().toLowerCase(Locale.ROOT).replace('_', ' '));
            return 1;
        }
    }
}
