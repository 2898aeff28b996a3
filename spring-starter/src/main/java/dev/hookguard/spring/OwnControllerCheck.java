package dev.hookguard.spring;

import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Predicate;

/** Whether the application maps a controller of its own to a webhook request. */
interface OwnControllerCheck extends Predicate<HttpServletRequest> {
}
