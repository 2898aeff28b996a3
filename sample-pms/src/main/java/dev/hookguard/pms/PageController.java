package dev.hookguard.pms;

import dev.hookguard.inbox.JdbcInbox;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The page: issues newest first, a page at a time ({@code ?page=&size=}), the last hour's deliveries as a chart,
 * the recent deliveries, received events by type, and in inbox mode a word on the inbox's deliveries.
 *
 * <p>It reloads itself every {@value #RELOAD_SECONDS} seconds, so a demo's deliveries show up as they arrive; that
 * also moves the page under someone reading it, so {@code ?pause=1} serves it without the reload (the link says
 * Pause), and Resume brings it back.
 */
@Controller
class PageController {

    static final int RELOAD_SECONDS = 5;

    private final Repository repository;
    private final RecentDeliveries deliveries;
    /** Present in inbox mode only: then the page says what the Deliveries page holds. */
    private final ObjectProvider<JdbcInbox> inbox;

    PageController(Repository repository, RecentDeliveries deliveries, ObjectProvider<JdbcInbox> inbox) {
        this.repository = repository;
        this.deliveries = deliveries;
        this.inbox = inbox;
    }

    @GetMapping("/")
    String index(@RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size,
                 @RequestParam(defaultValue = "false") boolean pause, Model model) {
        model.addAttribute("issues", repository.issues(PageOf.page(page), PageOf.size(size)));
        model.addAttribute("counts", repository.eventCountsByType());
        model.addAttribute("deliveries", deliveries.newestFirst());
        model.addAttribute("chart", DeliveryChart.of(deliveries.lastHour(), deliveries.clock().getZone()));
        model.addAttribute("inboxOn", inbox.getIfAvailable() != null);
        model.addAttribute("paused", pause);
        model.addAttribute("reloadSeconds", RELOAD_SECONDS);
        return "index";
    }
}
