package io.holdfast.audit;

/**
 * The result of re-checking the audit hash chain.
 *
 * @param firstBrokenId the first event whose hash or link does not match, or null when intact
 * @param problem what is wrong there, in words
 */
public record ChainReport(boolean intact, long eventsChecked, Long firstBrokenId, String problem) {}
