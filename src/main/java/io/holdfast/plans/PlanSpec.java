package io.holdfast.plans;

/**
 * A plan as a person writes it.
 *
 * @param machine the machine's id
 * @param disk one disk's name, or null (or blank) for every disk the machine reports
 * @param repository the repository's id, or null for the default repository
 * @param schedule Unix cron: minute hour day month weekday
 * @param timeZone the schedule's zone, e.g. Europe/Berlin; null for UTC
 * @param enabled null counts as true
 */
public record PlanSpec(
    String name,
    Long machine,
    String disk,
    Long repository,
    String schedule,
    String timeZone,
    boolean verifyAfter,
    Boolean enabled) {}
