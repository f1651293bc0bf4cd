package io.kvindex.router;

/**
 * A request waiting for capacity: what is needed to route it later (its local hashes, length and overrides) and its
 * place in the queue. Pooled by the {@link RequestQueue}.
 */
final class QueuedRequest
{
    String requestId;
    long[] localHashes = new long[64];
    int blockCount;
    int isl;
    double overlapScoreWeight;
    double temperature;
    boolean hasForcedWorker;
    long forcedWorkerId;
    int forcedDpRank;
    double priority;
    double key;
    long sequence;
    long arrivalNs;
    int heapIndex;
    QueuedRequest nextFree;

    void set(
        final String requestId,
        final long[] hashes,
        final int count,
        final int isl,
        final RouteOverrides overrides)
    {
        this.requestId = requestId;
        if (count > localHashes.length)
        {
            localHashes = new long[Math.max(count, localHashes.length * 2)];
        }
        System.arraycopy(hashes, 0, localHashes, 0, count);
        this.blockCount = count;
        this.isl = isl;
        if (null == overrides)
        {
            overlapScoreWeight = Double.NaN;
            temperature = Double.NaN;
            hasForcedWorker = false;
            priority = 0;
        }
        else
        {
            overlapScoreWeight = overrides.overlapScoreWeight();
            temperature = overrides.temperature();
            hasForcedWorker = overrides.hasForcedWorker();
            forcedWorkerId = overrides.forcedWorkerId();
            forcedDpRank = overrides.forcedDpRank();
            priority = overrides.priority();
        }
    }

    void overridesInto(final RouteOverrides overrides)
    {
        overrides.reset().priority(priority);
        if (!Double.isNaN(overlapScoreWeight))
        {
            overrides.overlapScoreWeight(overlapScoreWeight);
        }
        if (!Double.isNaN(temperature))
        {
            overrides.temperature(temperature);
        }
        if (hasForcedWorker)
        {
            overrides.forceWorker(forcedWorkerId, forcedDpRank);
        }
    }

    boolean before(final QueuedRequest other)
    {
        return key > other.key || (key == other.key && sequence < other.sequence);
    }
}
