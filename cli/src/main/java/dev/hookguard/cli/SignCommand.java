package dev.hookguard.cli;

import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "sign", mixinStandardHelpOptions = true,
        description = "Print the signature header value for a body, exactly as the sender would send it.")
final class SignCommand implements Callable<Integer> {

    @ParentCommand
    private HookguardCli parent;

    @Spec
    private CommandSpec spec;

    @Option(names = "--scheme", required = true, description = "mautic or malcolm")
    private String scheme;

    @Option(names = "--secret", description = "the secret (default: the first of $HOOKGUARD_MAUTIC_SECRETS or $HOOKGUARD_MALCOLM_SECRETS)")
    private String secret;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "the body (default: standard input)")
    private Path file;

    @Override
    public Integer call() {
        SignatureScheme signatureScheme = SignatureScheme.named(scheme);
        String key = Inputs.secrets(secret == null ? List.of() : List.of(secret), signatureScheme, parent.environment(), spec.commandLine()).get(0);
        byte[] body = Inputs.body(file, parent.environment().stdin());
        spec.commandLine().getOut().println(WebhookSigner.sign(signatureScheme, key, body));
        return 0;
    }
}
