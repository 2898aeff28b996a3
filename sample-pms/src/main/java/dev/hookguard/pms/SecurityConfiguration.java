package dev.hookguard.pms;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Everything needs a login (the user is Boot's {@code spring.security.user.name} / {@code .password}): HTTP Basic
 * for scripts, a form for browsers. The two webhook paths stay open and need no CSRF token: Hookguard's filter
 * has verified their signature, which is their authentication.
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
                        .anyRequest().authenticated())
                .csrf(csrf -> csrf.ignoringRequestMatchers(mautic, malcolm))
                .httpBasic(Customizer.withDefaults())
                .formLogin(Customizer.withDefaults())
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        .frameOptions(frame -> frame.deny())
                        .contentTypeOptions(Customizer.withDefaults()));
        return http.build();
    }
}
