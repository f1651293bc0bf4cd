package io.kvindex.router;

import java.util.Locale;

/**
 * Order in which waiting requests are released ({@code --router-queue-policy}); the highest key goes first,
 * equal keys in arrival order.
 */
public enum QueuePolicy
{
    /** First come, first served: key = priority - arrival time in seconds (default). */
    FCFS("fcfs"),
    /** Weighted shortest processing time: key = (1 + priority) / new prefill tokens. */
    WSPT("wspt"),
    /** Last come, first served, for comparisons only: key = arrival time; priority is ignored. */
    LCFS("lcfs");

    private final String flagName;

    QueuePolicy(final String flagName)
    {
        this.flagName = flagName;
    }

    /**
     * The name operators give on the command line.
     *
     * @return e.g. {@code fcfs}.
     */
    public String flagName()
    {
        return flagName;
    }

    /**
     * The key of a waiting request; the queue releases the highest first.
     *
     * @param priority          the request's priority (seconds of head start under fcfs).
     * @param arrivalSeconds    arrival time in seconds since the router started.
     * @param newPrefillTokens  tokens to prefill on the best cached candidate, at least 1.
     * @return the key.
     */
    public double key(final double priority, final double arrivalSeconds, final long newPrefillTokens)
    {
        switch (this)
        {
            case WSPT:
                return (1.0 + priority) / Math.max(1L, newPrefillTokens);

            case LCFS:
                return arrivalSeconds;

            case FCFS:
            default:
                return priority - arrivalSeconds;
        }
    }

    /**
     * The policy of a flag value, case-insensitive.
     *
     * @param name the value.
     * @return the policy.
     * @throws IllegalArgumentException for an unknown name.
     */
    public static QueuePolicy fromName(final String name)
    {
        final String normalized = name.trim().toLowerCase(Locale.ROOT);
        for (final QueuePolicy policy : values())
        {
            if (policy.flagName.equals(normalized))
            {
                return policy;
            }
        }
        throw new IllegalArgumentException("unknown queue policy: " + name);
    }
}
