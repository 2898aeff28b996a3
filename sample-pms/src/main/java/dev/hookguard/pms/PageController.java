package dev.hookguard.pms;

import dev.hookguard.inbox.JdbcInbox;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The page: issues newest first, a page at a time ({@code ?page=&size=}), received events by type, recent deliveries, and in inbox mode a link to the inbox's deliveries. */
@Controller
class PageController {

    private final Repository repository;
    private final RecentDeliveries deliveries;
    /** Present in inbox mode only: then the page links to the inbox's deliveries. */
    private final ObjectProvider<JdbcInbox> inbox;

    PageController(Repository repository, RecentDeliveries deliveries, ObjectProvider<JdbcInbox> inbox) {
        this.repository = repository;
        this.deliveries = deliveries;
        this.inbox = inbox;
    }

    @GetMapping("/")
    String index(@RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size, Model model) {
        model.addAttribute("issues", repository.issues(PageOf.page(page), PageOf.size(size)));
        model.addAttribute("counts", repository.eventCountsByType());
        model.addAttribute("deliveries", deliveries.newestFirst());
        model.addAttribute("inboxOn", inbox.getIfAvailable() != null);
        return "index";
    }
}
