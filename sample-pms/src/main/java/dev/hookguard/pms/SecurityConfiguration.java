package dev.hookguard.pms;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Everything needs a login (the user is Boot's {@code spring.security.user.name} / {@code .password}): HTTP Basic
 * for scripts, a form for browsers. The two webhook paths stay open and need no CSRF token: Hookguard's filter
 * has verified their signature, which is their authentication.
 *
 * <p>The sign-in form is the PMS's own ({@link SignInController}: it says where the password is), and so is its
 * stylesheet, which is therefore served without a login: it holds no data, and a stylesheet behind the login would
 * also become the page a browser is sent back to after signing in. Sign out is Spring Security's POST {@code /logout}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    @Bean
    SecurityFilterChain pmsSecurity(HttpSecurity http,
                                    @Value("${hookguard.mautic.path:/webhooks/mautic}") String mauticPath,
                                    @Value("${hookguard.malcolm.path:/webhooks/malcolm}") String malcolmPath) throws Exception {
        RequestMatcher mautic = PathPatternRequestMatcher.withDefaults().matcher(mauticPath);
        RequestMatcher malcolm = PathPatternRequestMatcher.withDefaults().matcher(malcolmPath);
        http.authorizeHttpRequests(requests -> requests
                        .requestMatchers(mautic, malcolm).permitAll()
                        .requestMatchers(PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.GET, "/pms.css")).permitAll()
                        .anyRequest().authenticated())
                .csrf(csrf -> csrf.ignoringRequestMatchers(mautic, malcolm))
                .httpBasic(Customizer.withDefaults())
                .formLogin(form -> form.loginPage("/login").permitAll())
                // Permits where signing out lands, /login?logout: the form's permit matches its URL exactly.
                .logout(logout -> logout.permitAll())
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        .frameOptions(frame -> frame.deny())
                        .contentTypeOptions(Customizer.withDefaults()));
        return http.build();
    }
}
