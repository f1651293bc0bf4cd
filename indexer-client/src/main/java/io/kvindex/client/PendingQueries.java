package io.kvindex.client;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2LongHashMap;

/**
 * The in-flight queries of an {@link IndexerClient}: a fixed number of slots, each holding the encoded request (kept
 * for a resend after failover), the caller's result holder, the deadline of the current attempt and how many attempts
 * were made. Slots and their buffers are created once; a query only claims and releases one.
 */
final class PendingQueries
{
    static final int NO_SLOT = -1;
    private static final int INITIAL_REQUEST_BYTES = 1024;

    private final long[] correlationIds;
    private final long[] deadlinesNs;
    private final int[] attempts;
    private final long[] sentEpochs;
    private final boolean[] inUse;
    private final boolean[] sent;
    private final int[] lengths;
    private final OverlapResult[] results;
    private final ExpandableArrayBuffer[] buffers;
    private final int[] freeSlots;
    private final Long2LongHashMap slotByCorrelationId;
    private int freeCount;
    private int unsentCount;

    PendingQueries(final int capacity)
    {
        correlationIds = new long[capacity];
        deadlinesNs = new long[capacity];
        attempts = new int[capacity];
        sentEpochs = new long[capacity];
        inUse = new boolean[capacity];
        sent = new boolean[capacity];
        lengths = new int[capacity];
        results = new OverlapResult[capacity];
        buffers = new ExpandableArrayBuffer[capacity];
        freeSlots = new int[capacity];
        slotByCorrelationId = new Long2LongHashMap(capacity * 2, 0.5f, NO_SLOT);
        for (int i = 0; i < capacity; i++)
        {
            buffers[i] = new ExpandableArrayBuffer(INITIAL_REQUEST_BYTES);
            freeSlots[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    int capacity()
    {
        return inUse.length;
    }

    int inFlight()
    {
        return inUse.length - freeCount;
    }

    int unsentCount()
    {
        return unsentCount;
    }

    int claim()
    {
        if (freeCount == 0)
        {
            return NO_SLOT;
        }
        final int slot = freeSlots[--freeCount];
        inUse[slot] = true;
        sent[slot] = false;
        attempts[slot] = 0;
        return slot;
    }

    void activate(
        final int slot, final long correlationId, final int length, final OverlapResult result, final long deadlineNs)
    {
        correlationIds[slot] = correlationId;
        lengths[slot] = length;
        results[slot] = result;
        deadlinesNs[slot] = deadlineNs;
        slotByCorrelationId.put(correlationId, slot);
        unsentCount++;
    }

    void release(final int slot)
    {
        if (inUse[slot])
        {
            if (!sent[slot] && null != results[slot])
            {
                unsentCount--;
            }
            slotByCorrelationId.remove(correlationIds[slot]);
            inUse[slot] = false;
            results[slot] = null;
            freeSlots[freeCount++] = slot;
        }
    }

    int slotOf(final long correlationId)
    {
        return (int)slotByCorrelationId.get(correlationId);
    }

    boolean isInUse(final int slot)
    {
        return inUse[slot] && null != results[slot];
    }

    boolean isSent(final int slot)
    {
        return sent[slot];
    }

    void markSent(final int slot, final long epoch)
    {
        if (!sent[slot])
        {
            sent[slot] = true;
            unsentCount--;
        }
        sentEpochs[slot] = epoch;
    }

    void markUnsent(final int slot)
    {
        if (sent[slot])
        {
            sent[slot] = false;
            unsentCount++;
        }
    }

    long sentEpoch(final int slot)
    {
        return sentEpochs[slot];
    }

    long deadlineNs(final int slot)
    {
        return deadlinesNs[slot];
    }

    void deadlineNs(final int slot, final long deadlineNs)
    {
        deadlinesNs[slot] = deadlineNs;
    }

    int incrementAttempts(final int slot)
    {
        return ++attempts[slot];
    }

    long correlationId(final int slot)
    {
        return correlationIds[slot];
    }

    OverlapResult result(final int slot)
    {
        return results[slot];
    }

    ExpandableArrayBuffer buffer(final int slot)
    {
        return buffers[slot];
    }

    int length(final int slot)
    {
        return lengths[slot];
    }
}
