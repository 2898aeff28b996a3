package dev.hookguard.pms;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** The page: issues newest first and received events by type. */
@Controller
class PageController {

    private final Repository repository;

    PageController(Repository repository) {
        this.repository = repository;
    }

    @GetMapping("/")
    String index(Model model) {
        model.addAttribute("issues", repository.issues());
        model.addAttribute("counts", repository.eventCountsByType());
        return "index";
    }
}
