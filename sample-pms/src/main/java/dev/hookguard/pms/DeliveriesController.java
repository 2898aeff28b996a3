package dev.hookguard.pms;

import dev.hookguard.inbox.InboxEntry;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.inbox.JdbcInbox.State;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Inbox mode's deliveries, for whoever runs the PMS: each stored delivery's event type, state, attempts, next
 * attempt and last error, and Replay for the dead ones once their cause is fixed. Each row's key leads to the row's
 * own page ({@code /deliveries/details?key=}), with the whole key, where a done delivery can be replayed too. Replay
 * is a POST (CSRF token from Spring Security) behind a confirmation page, since the CSP allows no inline script for
 * a confirm dialog; it comes back to the list with the replayed row highlighted ({@code ?replayed=<key>}).
 *
 * <p>The key travels as a request parameter, never in the path: it comes from the sender's payload (a Malcolm!
 * session id is any text), and a {@code /}, {@code ;} or {@code %} in a path is refused by Spring Security's firewall.
 * Never shown: the body and headers, which hold the payload's values.
 *
 * <p>In direct mode there is no {@link JdbcInbox} bean (the starter creates it only in inbox mode): the page says
 * the inbox is off, and replay answers 404.
 */
@Controller
class DeliveriesController {

    /** Rows on one page; older ones are a link away (keyset-paged: no body is read, whatever the table holds). */
    static final int LIMIT = 100;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    /**
     * Keys longer than this are shortened in the list: a Mautic event without an id of its own is keyed by a SHA-256
     * ({@code mautic:lead_post_save_new:sha256:} and 64 hex digits), which would make the column the table's widest.
     * A form submission's key ({@code mautic:form_on_submit:} and an id of up to ten digits) stays whole.
     */
    static final int KEY_SHOWN = 32;
    /** A shortened key keeps its start (sender and type) and its end (the id that tells rows apart), around a "…". */
    static final int KEY_HEAD = 18;
    static final int KEY_TAIL = KEY_SHOWN - KEY_HEAD - 1;

    /**
     * One delivery as the pages show it: never its body or headers.
     *
     * @param key       the key as stored, by which the inbox finds it (a SHA-256 for keys over 255 characters)
     * @param wholeKey  the key as sent, whatever its length
     * @param shortKey  the whole key, shortened for the list
     */
    record Row(String key, String wholeKey, String shortKey, String eventType, String sender, String tenant, String state,
               int attempts, String received, String nextAttempt, String doneAt, String lastError, boolean replayable) {

        static Row of(InboxEntry entry) {
            return new Row(entry.key(), entry.partKey(), shorten(entry.partKey()), entry.eventType().orElse("—"),
                    entry.scheme().id(), entry.tenant(), entry.state().name(), entry.attempts(),
                    TIME.format(entry.receivedAt()), nextAttempt(entry), entry.doneAt().map(TIME::format).orElse("—"),
                    entry.failure().map(f -> f.type() + f.message().map(m -> ": " + m).orElse("")).orElse(""),
                    DeliveriesController.replayable(entry.state()));
        }

        /** Only a pending row waits for a time; a running one is held by a worker, a dead or done one by nobody. */
        private static String nextAttempt(InboxEntry entry) {
            if (entry.state() != State.PENDING) {
                return "—";
            }
            return entry.nextAttemptAt().isAfter(Instant.now()) ? TIME.format(entry.nextAttemptAt()) : "now";
        }

        /** The event type cut after each {@code .} and {@code _}: where the list lets a long type wrap. */
        public List<String> eventTypeParts() {
            return List.of(eventType.split("(?<=[._])"));
        }

        /** The list offers Replay on dead rows only; a done row's Replay is on its own page. */
        public boolean dead() {
            return State.DEAD.name().equals(state);
        }
    }

    /** {@code key} itself up to {@link #KEY_SHOWN} characters, else its start and end around a "…"; never splits a character. */
    static String shorten(String key) {
        if (key.codePointCount(0, key.length()) <= KEY_SHOWN) {
            return key;
        }
        return key.substring(0, key.offsetByCodePoints(0, KEY_HEAD)) + "…" + key.substring(key.offsetByCodePoints(key.length(), -KEY_TAIL));
    }

    private final ObjectProvider<JdbcInbox> inboxes;

    DeliveriesController(ObjectProvider<JdbcInbox> inboxes) {
        this.inboxes = inboxes;
    }

    /** What {@link JdbcInbox#replay} accepts: a dead row, or a done one (its handlers run again). */
    static boolean replayable(State state) {
        return state == State.DEAD || state == State.DONE;
    }

    /** @param replayed the key just replayed (the replay's redirect names it), whose row is highlighted */
    @GetMapping("/deliveries")
    String list(@RequestParam(required = false) String state, @RequestParam(required = false) Long before,
                @RequestParam(required = false) String replayed, Model model) {
        JdbcInbox inbox = inboxes.getIfAvailable();
        if (inbox == null) {
            model.addAttribute("inboxOff", true);
            return "deliveries";
        }
        Optional<State> only = parse(state);
        Set<State> states = only.map(EnumSet::of).orElse(EnumSet.allOf(State.class));
        // One more than a page: whether an older page exists, without counting.
        List<InboxEntry> entries = inbox.list(states, before == null ? Long.MAX_VALUE : before, LIMIT + 1);
        List<InboxEntry> page = entries.subList(0, Math.min(LIMIT, entries.size()));
        model.addAttribute("inboxOff", false);
        model.addAttribute("rows", page.stream().map(Row::of).toList());
        model.addAttribute("state", only.map(State::name).orElse(null));
        model.addAttribute("counts", inbox.counts());
        model.addAttribute("older", entries.size() > LIMIT ? page.get(page.size() - 1).id() : null);
        model.addAttribute("limit", LIMIT);
        model.addAttribute("replayed", replayed);
        return "deliveries";
    }

    /** One delivery's own page: its whole key, and Replay when it is dead or done. */
    @GetMapping("/deliveries/details")
    ModelAndView details(@RequestParam String key) {
        JdbcInbox inbox = inboxes.getIfAvailable();
        Optional<InboxEntry> entry = inbox == null ? Optional.empty() : inbox.show(key);
        if (entry.isEmpty()) {
            return missing(key, inbox == null);
        }
        return new ModelAndView("delivery", Map.of("row", Row.of(entry.get())));
    }

    /** The confirmation step: what would be replayed, and a POST form; a GET changes nothing. */
    @GetMapping("/deliveries/replay")
    ModelAndView confirmReplay(@RequestParam String key) {
        JdbcInbox inbox = inboxes.getIfAvailable();
        Optional<InboxEntry> entry = inbox == null ? Optional.empty() : inbox.show(key);
        if (entry.isEmpty()) {
            return missing(key, inbox == null);
        }
        return new ModelAndView("delivery-replay", Map.of("row", Row.of(entry.get())));
    }

    @PostMapping("/deliveries/replay")
    ModelAndView replay(@RequestParam String key, RedirectAttributes redirect) {
        JdbcInbox inbox = inboxes.getIfAvailable();
        if (inbox == null || inbox.show(key).isEmpty()) {
            return missing(key, inbox == null);
        }
        if (inbox.replay(key)) {
            redirect.addFlashAttribute("flash", "Replayed " + key + ": pending again, its attempts counted from zero;"
                    + " a worker handles it within a second.");
            // The list highlights the row. In the query rather than the flash, so that it stays highlighted when
            // the page is reloaded to watch it become done; percent-encoded here, since a key is any text.
            return new ModelAndView("redirect:" + UriComponentsBuilder.fromPath("/deliveries").queryParam("replayed", "{key}")
                    .encode().buildAndExpand(key).toUriString());
        }
        // Pending or running (or it changed since the confirmation): replay() takes only dead and done rows.
        String now = inbox.show(key).map(e -> e.state().name()).orElse("gone");
        redirect.addFlashAttribute("flash", "Not replayed " + key + ": it is " + now + ", and only DEAD or DONE deliveries"
                + " can be replayed.");
        return new ModelAndView("redirect:/deliveries");
    }

    @GetMapping("/deliveries/replay-dead")
    ModelAndView confirmReplayDead() {
        JdbcInbox inbox = inboxes.getIfAvailable();
        if (inbox == null) {
            return missing(null, true);
        }
        return new ModelAndView("delivery-replay", Map.of("dead", inbox.counts().dead()));
    }

    @PostMapping("/deliveries/replay-dead")
    ModelAndView replayDead(RedirectAttributes redirect) {
        JdbcInbox inbox = inboxes.getIfAvailable();
        if (inbox == null) {
            return missing(null, true);
        }
        int replayed = inbox.replayDead();
        redirect.addFlashAttribute("flash", "Replayed " + replayed + " dead deliver" + (replayed == 1 ? "y" : "ies")
                + ": pending again, their attempts counted from zero.");
        return new ModelAndView("redirect:/deliveries");
    }

    private static ModelAndView missing(String key, boolean inboxOff) {
        Map<String, Object> model = new HashMap<>();
        model.put("inboxOff", inboxOff);
        if (key != null) {
            model.put("key", key);
        }
        return new ModelAndView("delivery-missing", model, HttpStatus.NOT_FOUND);
    }

    private static Optional<State> parse(String state) {
        if (state == null || state.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(State.valueOf(state.strip().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "state is one of PENDING, RUNNING, DONE, DEAD");
        }
    }
}
