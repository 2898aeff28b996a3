package dev.hookguard.pms;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The page: issues newest first, a page at a time ({@code ?page=&size=}), received events by type, recent deliveries. */
@Controller
class PageController {

    private final Repository repository;
    private final RecentDeliveries deliveries;

    PageController(Repository repository, RecentDeliveries deliveries) {
        this.repository = repository;
        this.deliveries = deliveries;
    }

    @GetMapping("/")
    String index(@RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size, Model model) {
        model.addAttribute("issues", repository.issues(PageOf.page(page), PageOf.size(size)));
        model.addAttribute("counts", repository.eventCountsByType());
        model.addAttribute("deliveries", deliveries.newestFirst());
        return "index";
    }
}
