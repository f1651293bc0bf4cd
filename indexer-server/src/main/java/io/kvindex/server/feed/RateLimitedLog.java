package io.kvindex.server.feed;

import java.util.function.LongSupplier;

/**
 * At most one log line per cause and interval, with the number of occurrences suppressed since the last line. Causes
 * are small ints (e.g. {@link DecodeStatus} values); counting is the caller's job, this only keeps logs quiet.
 */
final class RateLimitedLog
{
    private static final System.Logger LOGGER = System.getLogger("io.kvindex.server.feed");

    private final String source;
    private final long intervalNs;
    private final LongSupplier nanoClock;
    private final long[] lastLogNs;
    private final long[] suppressed;
    private final boolean[] logged;

    RateLimitedLog(final String source, final int causes, final long intervalNs, final LongSupplier nanoClock)
    {
        this.source = source;
        this.intervalNs = intervalNs;
        this.nanoClock = nanoClock;
        this.lastLogNs = new long[causes];
        this.suppressed = new long[causes];
        this.logged = new boolean[causes];
    }

    /**
     * Note one occurrence of a cause; logs a line when none was logged for it within the interval.
     *
     * @param cause   the cause, below the number of causes.
     * @param name    its label.
     * @return true when a line was logged.
     */
    boolean onError(final int cause, final String name)
    {
        final long now = nanoClock.getAsLong();
        if (logged[cause] && now - lastLogNs[cause] < intervalNs)
        {
            suppressed[cause]++;
            return false;
        }
        LOGGER.log(System.Logger.Level.WARNING, "{0}: {1} ({2} more since the last line)",
            source, name, suppressed[cause]);
        logged[cause] = true;
        lastLogNs[cause] = now;
        suppressed[cause] = 0;
        return true;
    }
}
