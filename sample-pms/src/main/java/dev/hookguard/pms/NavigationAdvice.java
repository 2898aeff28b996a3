package dev.hookguard.pms;

import java.security.Principal;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** What the navigation bar on every page needs from the request: who is signed in, shown next to Sign out. */
@ControllerAdvice(assignableTypes = {PageController.class, DeliveriesController.class})
final class NavigationAdvice {

    @ModelAttribute("signedInAs")
    String signedInAs(Principal principal) {
        return principal == null ? null : principal.getName();
    }
}
