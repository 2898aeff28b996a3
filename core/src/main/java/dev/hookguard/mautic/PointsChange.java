package dev.hookguard.mautic;

/** Old and new points of a points change; either is {@code null} when not sent. */
public record PointsChange(Integer oldPoints, Integer newPoints) {
}
