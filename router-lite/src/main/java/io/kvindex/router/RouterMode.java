package io.kvindex.router;

import java.util.Locale;

/**
 * How a router picks a worker ({@code --router-mode}); names as Dynamo's.
 */
public enum RouterMode
{
    /** Dynamo's cost function over prefix overlaps and load (default). */
    KV("kv"),
    /** The next candidate in turn. */
    ROUND_ROBIN("round-robin"),
    /** A candidate drawn uniformly. */
    RANDOM("random"),
    /**
     * The candidate with the fewest decode blocks once the request is added (the cost function's load term alone:
     * {@code kv} with overlap weight 0 picks the same), ties at random. Dynamo's mode of this name counts active
     * requests instead.
     */
    LEAST_LOADED("least-loaded"),
    /** As {@link #LEAST_LOADED} with each candidate's load divided by its {@link Worker#weight()}. */
    DEVICE_AWARE_WEIGHTED("device-aware-weighted");

    private final String flagName;

    RouterMode(final String flagName)
    {
        this.flagName = flagName;
    }

    /**
     * The name operators give on the command line.
     *
     * @return e.g. {@code round-robin}.
     */
    public String flagName()
    {
        return flagName;
    }

    /**
     * The mode of a flag value; underscores and case are accepted ({@code ROUND_ROBIN}, {@code round_robin}).
     *
     * @param name the value.
     * @return the mode.
     * @throws IllegalArgumentException for an unknown name.
     */
    public static RouterMode fromName(final String name)
    {
        final String normalized = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (final RouterMode mode : values())
        {
            if (mode.flagName.equals(normalized))
            {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown router mode: " + name);
    }
}
