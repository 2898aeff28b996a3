package dev.hookguard.pms;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A database failure answers 500 (a webhook delivery is then released and retried) and is logged by class and
 * SQLState only: JDBC messages quote the values, which come from payloads.
 */
@RestControllerAdvice
class DataAccessAdvice {

    private static final Logger LOG = LoggerFactory.getLogger(DataAccessAdvice.class);

    @ExceptionHandler(DataAccessException.class)
    ResponseEntity<ProblemDetail> databaseFailed(DataAccessException e) {
        LOG.error("a request failed in the database: {}", DataErrors.describe(e));
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                .body(ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, "the database failed"));
    }
}
