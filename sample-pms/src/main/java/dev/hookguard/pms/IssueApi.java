package dev.hookguard.pms;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The JSON API: issues newest first, one issue, and the received events. */
@RestController
class IssueApi {

    private final Repository repository;

    IssueApi(Repository repository) {
        this.repository = repository;
    }

    /** {@code ?page=0&size=20} (size at most 200), newest first. */
    @GetMapping("/api/issues")
    PageOf<Issue> issues(@RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size) {
        return repository.issues(PageOf.page(page), PageOf.size(size));
    }

    @GetMapping("/api/issues/{id}")
    ResponseEntity<?> issue(@PathVariable long id) {
        return repository.issue(id).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
                        .body(ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "no issue " + id)));
    }

    /** {@code ?page=0&size=20} (size at most 200), newest first. */
    @GetMapping("/api/events")
    PageOf<ReceivedEvent> events(@RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size) {
        return repository.events(PageOf.page(page), PageOf.size(size));
    }
}
