package dev.hookguard.mautic;

import java.util.Optional;

/** Old and new points of a points change; either is empty when not sent. */
public record PointsChange(Optional<Integer> oldPoints, Optional<Integer> newPoints) {
}
