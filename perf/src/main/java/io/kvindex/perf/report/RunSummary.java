package io.kvindex.perf.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds the figures of repeated runs of one benchmark into one set: the median of every number (integers stay
 * integers, rounded; other numbers are rounded to three decimals), true only when
 * every run said true, and the first run's value for anything else; plus the spread (min, max and every run's
 * value) of the key figures named. The keys and their order are the first run's, so output keys stay the same
 * whatever the number of runs.
 */
public final class RunSummary
{
    /** Key of the number of runs folded. */
    public static final String RUNS = "runs";

    /** Key of the spread object: key figure to {@code {"min", "max", "values"}}. */
    public static final String SPREAD = "spread";

    private RunSummary()
    {
    }

    /**
     * The median of some values: the middle one, or the mean of the two middle ones for an even count.
     *
     * @param values the values, not changed.
     * @return the median, NaN when there are none.
     */
    public static double median(final double[] values)
    {
        if (0 == values.length)
        {
            return Double.NaN;
        }
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int mid = sorted.length / 2;
        return 1 == (sorted.length & 1) ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /**
     * Fold runs into one set of figures, followed by {@link #RUNS} and {@link #SPREAD}.
     *
     * @param runs       each run's figures (same keys; a key missing from a run counts as null there).
     * @param spreadKeys the key figures whose spread is reported, when numeric in every run.
     * @return the folded figures.
     */
    public static Map<String, Object> summarize(
        final List<Map<String, Object>> runs, final Collection<String> spreadKeys)
    {
        if (runs.isEmpty())
        {
            throw new IllegalArgumentException("no runs");
        }
        final Map<String, Object> summary = new LinkedHashMap<>();
        for (final String key : runs.get(0).keySet())
        {
            summary.put(key, fold(runs, key));
        }
        summary.put(RUNS, (long)runs.size());
        final Map<String, Object> spread = new LinkedHashMap<>();
        for (final String key : spreadKeys)
        {
            final double[] values = numbers(runs, key);
            if (null != values)
            {
                final double[] sorted = values.clone();
                Arrays.sort(sorted);
                final boolean integral = allIntegral(runs, key);
                final Map<String, Object> range = new LinkedHashMap<>();
                range.put("min", number(sorted[0], integral));
                range.put("max", number(sorted[sorted.length - 1], integral));
                final List<Object> each = new ArrayList<>();
                for (final double v : values)
                {
                    each.add(number(v, integral));
                }
                range.put("values", each);
                spread.put(key, range);
            }
        }
        summary.put(SPREAD, spread);
        return summary;
    }

    private static Object fold(final List<Map<String, Object>> runs, final String key)
    {
        final Object first = runs.get(0).get(key);
        if (first instanceof Boolean)
        {
            for (final Map<String, Object> run : runs)
            {
                if (!Boolean.TRUE.equals(run.get(key)))
                {
                    return Boolean.FALSE;
                }
            }
            return Boolean.TRUE;
        }
        final double[] values = numbers(runs, key);
        if (null == values)
        {
            return first;
        }
        return number(median(values), allIntegral(runs, key));
    }

    private static double[] numbers(final List<Map<String, Object>> runs, final String key)
    {
        final double[] values = new double[runs.size()];
        for (int i = 0; i < values.length; i++)
        {
            final Object value = runs.get(i).get(key);
            if (!(value instanceof Number))
            {
                return null;
            }
            values[i] = ((Number)value).doubleValue();
        }
        return values;
    }

    private static boolean allIntegral(final List<Map<String, Object>> runs, final String key)
    {
        for (final Map<String, Object> run : runs)
        {
            final Object value = run.get(key);
            if (!(value instanceof Long || value instanceof Integer))
            {
                return false;
            }
        }
        return true;
    }

    private static Object number(final double value, final boolean integral)
    {
        if (integral)
        {
            return Math.round(value);
        }
        return Double.isFinite(value) ? Math.round(value * 1000) / 1000.0 : value;
    }
}
