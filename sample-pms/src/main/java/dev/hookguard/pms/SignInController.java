package dev.hookguard.pms;

import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The sign-in form, in place of Spring Security's generated one, so that it can say where the password is: a
 * newcomer who started {@code --demo} has no idea which password the demo generated, nor where it went. Which of
 * three cases applies is read from the environment; the page names a file or a setting, never a value.
 */
@Controller
final class SignInController {

    /** Where the password comes from, as the page explains it. */
    enum PasswordSource {
        /** {@code --demo} generated it and keeps it in its file. */
        DEMO,
        /** Set by whoever started the PMS. */
        CONFIGURED,
        /** Nobody set one and it is not the demo: Spring Boot generated one and logged it. */
        GENERATED_BY_BOOT
    }

    private final ConfigurableEnvironment environment;

    SignInController(ConfigurableEnvironment environment) {
        this.environment = environment;
    }

    @GetMapping("/login")
    String signIn(@RequestParam(required = false) String error, @RequestParam(required = false) String logout, Model model) {
        model.addAttribute("failed", error != null);
        model.addAttribute("signedOut", logout != null);
        model.addAttribute("user", environment.getProperty("spring.security.user.name", "user"));
        DemoSecrets.passwordFile(environment).ifPresentOrElse(file -> {
            model.addAttribute("source", PasswordSource.DEMO);
            model.addAttribute("demoFile", file.toString());
        }, () -> {
            String password = environment.getProperty(DemoSecrets.PASSWORD);
            model.addAttribute("source", password == null || password.isBlank() ? PasswordSource.GENERATED_BY_BOOT : PasswordSource.CONFIGURED);
        });
        model.addAttribute("passwordProperty", DemoSecrets.PASSWORD);
        return "login";
    }
}
