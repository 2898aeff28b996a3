package dev.hookguard.pms;

import java.util.List;
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

    @GetMapping("/api/issues")
    List<Issue> issues() {
        return repository.issues();
    }

    @GetMapping("/api/issues/{id}")
    ResponseEntity<?> issue(@PathVariable long id) {
        return repository.issue(id).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
                        .body(ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "no issue " + id)));
    }

    @GetMapping("/api/events")
    List<ReceivedEvent> events(@RequestParam(defaultValue = "500") int limit) {
        return repository.events(Math.max(1, Math.min(limit, 5000)));
    }
}
