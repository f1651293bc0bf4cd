package io.kvindex.perf.trace;

import java.util.Arrays;

/**
 * The levels of an offered-rate sweep and when it stops. Levels are fractions of the rate the index reached unpaced
 * (default 10% to 150%). A level is saturated when the index achieved less than {@value #KEEP_UP} of the offered
 * rate, or when the p99 response time exceeds {@value #EXPLOSION} times the first level's (at least
 * {@value #EXPLOSION_FLOOR_NS} ns); the sweep stops after the first saturated level.
 */
public final class SweepPlan
{
    /** Default fractions of the unpaced rate. */
    public static final double[] DEFAULT_FRACTIONS = {0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5};

    /** Share of the offered rate a level must achieve not to count as saturated. */
    public static final double KEEP_UP = 0.97;

    /** Factor over the first level's p99 response time at which p99 counts as exploded. */
    public static final double EXPLOSION = 10;

    /** Smallest p99 response time, in ns, that counts as exploded. */
    public static final long EXPLOSION_FLOOR_NS = 20_000;

    private final double[] fractions;

    /**
     * A plan.
     *
     * @param fractions fractions of the unpaced rate, each above 0, sorted here.
     */
    public SweepPlan(final double[] fractions)
    {
        if (0 == fractions.length)
        {
            throw new IllegalArgumentException("no sweep levels");
        }
        this.fractions = fractions.clone();
        Arrays.sort(this.fractions);
        if (!(this.fractions[0] > 0))
        {
            throw new IllegalArgumentException("sweep levels must be above 0: " + Arrays.toString(fractions));
        }
    }

    /**
     * The levels as fractions of the unpaced rate, increasing.
     *
     * @return fractions (a copy).
     */
    public double[] fractions()
    {
        return fractions.clone();
    }

    /**
     * The offered rates for an unpaced rate.
     *
     * @param unpacedOpsPerSecond the rate reached unpaced.
     * @return offered ops per second, one per level.
     */
    public double[] offeredRates(final double unpacedOpsPerSecond)
    {
        final double[] rates = new double[fractions.length];
        for (int i = 0; i < rates.length; i++)
        {
            rates[i] = fractions[i] * unpacedOpsPerSecond;
        }
        return rates;
    }

    /**
     * Why a level is saturated, or null when it is not.
     *
     * @param offered            the offered rate.
     * @param achieved           the achieved rate.
     * @param responseP99Ns      the level's p99 response time.
     * @param firstResponseP99Ns the first level's p99 response time.
     * @return the reason, or null.
     */
    public static String saturation(
        final double offered, final double achieved, final long responseP99Ns, final long firstResponseP99Ns)
    {
        if (achieved < KEEP_UP * offered)
        {
            return "achieved below offered";
        }
        if (responseP99Ns > Math.max(EXPLOSION_FLOOR_NS, (long)(EXPLOSION * firstResponseP99Ns)))
        {
            return "p99 response time exploded";
        }
        return null;
    }

    /**
     * Parse a comma-separated list of fractions ({@code 0.1,0.5,1}) or percentages ({@code 10%,50%,100%}).
     *
     * @param list the list.
     * @return the plan.
     */
    public static SweepPlan parse(final String list)
    {
        final String[] parts = list.split(",");
        final double[] fractions = new double[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            final String part = parts[i].trim();
            fractions[i] = part.endsWith("%") ?
                Double.parseDouble(part.substring(0, part.length() - 1)) / 100 : Double.parseDouble(part);
        }
        return new SweepPlan(fractions);
    }
}
