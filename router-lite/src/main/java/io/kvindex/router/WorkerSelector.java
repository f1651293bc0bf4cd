package io.kvindex.router;

import java.util.random.RandomGenerator;

/**
 * Picks one candidate from the scores the router put in each {@link WorkerState}: the lowest logit at temperature 0
 * (ties to the smaller tree size, then at random), softmax sampling of {@code -(logit / (max - min)) / T} above 0
 * (uniform when every logit is equal), and the load-only modes. Scratch arrays grow with the candidate count; a
 * selection allocates nothing once they have.
 */
final class WorkerSelector
{
    private final RandomGenerator random;
    private int[] ties = new int[16];
    private double[] probabilities = new double[16];
    private long roundRobin;

    WorkerSelector(final RandomGenerator random)
    {
        this.random = random;
    }

    /**
     * Select by mode.
     *
     * @param mode        the router mode.
     * @param candidates  the candidates with their scores filled.
     * @param count       number of candidates, at least 1.
     * @param temperature the temperature for kv mode.
     * @return index of the chosen candidate.
     */
    int select(final RouterMode mode, final WorkerState[] candidates, final int count, final double temperature)
    {
        ensureCapacity(count);
        switch (mode)
        {
            case ROUND_ROBIN:
                return (int)Long.remainderUnsigned(roundRobin++, count);

            case RANDOM:
                return random.nextInt(count);

            case LEAST_LOADED:
                return leastLoaded(candidates, count, false);

            case DEVICE_AWARE_WEIGHTED:
                return leastLoaded(candidates, count, true);

            case KV:
            default:
                return temperature > 0 ? softmax(candidates, count, temperature) : lowestLogit(candidates, count);
        }
    }

    private int lowestLogit(final WorkerState[] candidates, final int count)
    {
        double min = Double.POSITIVE_INFINITY;
        int tied = 0;
        for (int i = 0; i < count; i++)
        {
            final double logit = candidates[i].logit;
            if (logit < min)
            {
                min = logit;
                tied = 0;
                ties[tied++] = i;
            }
            else if (logit == min)
            {
                ties[tied++] = i;
            }
        }
        if (1 == tied)
        {
            return ties[0];
        }
        long minTree = Long.MAX_VALUE;
        int smallest = 0;
        for (int j = 0; j < tied; j++)
        {
            final int i = ties[j];
            final long treeSize = candidates[i].treeSize;
            if (treeSize < minTree)
            {
                minTree = treeSize;
                smallest = 0;
                ties[smallest++] = i;
            }
            else if (treeSize == minTree)
            {
                ties[smallest++] = i;
            }
        }
        return 1 == smallest ? ties[0] : ties[random.nextInt(smallest)];
    }

    private int softmax(final WorkerState[] candidates, final int count, final double temperature)
    {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++)
        {
            min = Math.min(min, candidates[i].logit);
            max = Math.max(max, candidates[i].logit);
        }
        if (min == max)
        {
            return random.nextInt(count);
        }
        final double scale = -1.0 / ((max - min) * temperature);
        final double offset = min * scale;
        double sum = 0;
        for (int i = 0; i < count; i++)
        {
            final double p = Math.exp(candidates[i].logit * scale - offset);
            probabilities[i] = p;
            sum += p;
        }
        final double sample = random.nextDouble();
        double cumulative = 0;
        for (int i = 0; i < count; i++)
        {
            cumulative += probabilities[i] / sum;
            if (sample <= cumulative)
            {
                return i;
            }
        }
        return count - 1;
    }

    private int leastLoaded(final WorkerState[] candidates, final int count, final boolean relativeToWeight)
    {
        double min = Double.POSITIVE_INFINITY;
        int tied = 0;
        for (int i = 0; i < count; i++)
        {
            final WorkerState state = candidates[i];
            final double load = relativeToWeight ?
                state.potentialDecodeBlocks / state.worker.weight() : state.potentialDecodeBlocks;
            if (load < min)
            {
                min = load;
                tied = 0;
                ties[tied++] = i;
            }
            else if (load == min)
            {
                ties[tied++] = i;
            }
        }
        return 1 == tied ? ties[0] : ties[random.nextInt(tied)];
    }

    private void ensureCapacity(final int count)
    {
        if (count > ties.length)
        {
            final int capacity = Math.max(count, ties.length * 2);
            ties = new int[capacity];
            probabilities = new double[capacity];
        }
    }
}
