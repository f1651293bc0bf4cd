package io.kvindex.server.http;

import io.kvindex.index.BlockIndex;
import io.kvindex.index.DumpListener;

import java.util.Arrays;

/**
 * The Stored events of one index dump, copied into one growable {@code long[]} so that the index is released before
 * the (slow) network write, and so that a dump read from JSON can be applied once its block size is known.
 * <pre>
 *   per event: workerId | dpRank | hasParent (0/1) | parentEngineHash | count | engineHash, localHash (× count)
 * </pre>
 */
final class DumpBuffer implements DumpListener
{
    private static final int HEADER = 5;

    private long[] data = new long[1024];
    private int size;
    private int events;
    private long[] engineHashes = new long[64];
    private long[] localHashes = new long[64];

    DumpBuffer reset()
    {
        size = 0;
        events = 0;
        return this;
    }

    int events()
    {
        return events;
    }

    /**
     * {@inheritDoc}
     */
    public void onStored(
        final long workerId,
        final int dpRank,
        final boolean hasParent,
        final long parentEngineHash,
        final long[] engineHashes,
        final long[] localHashes,
        final int count)
    {
        ensure(HEADER + 2L * count);
        data[size++] = workerId;
        data[size++] = dpRank;
        data[size++] = hasParent ? 1 : 0;
        data[size++] = parentEngineHash;
        data[size++] = count;
        for (int i = 0; i < count; i++)
        {
            data[size++] = engineHashes[i];
            data[size++] = localHashes[i];
        }
        events++;
    }

    /**
     * Hand every event to a listener, in the order they came.
     */
    void replay(final DumpListener listener)
    {
        int position = 0;
        while (position < size)
        {
            final int count = (int)data[position + 4];
            if (count > engineHashes.length)
            {
                engineHashes = new long[count];
                localHashes = new long[count];
            }
            for (int i = 0; i < count; i++)
            {
                engineHashes[i] = data[position + HEADER + 2 * i];
                localHashes[i] = data[position + HEADER + 2 * i + 1];
            }
            listener.onStored(data[position], (int)data[position + 1], 1 == data[position + 2], data[position + 3],
                engineHashes, localHashes, count);
            position += HEADER + 2 * count;
        }
    }

    /**
     * Apply every event to an index as a Stored event.
     *
     * @return the number of events the index did not apply in full.
     */
    long applyTo(final BlockIndex index)
    {
        final long[] refused = new long[1];
        replay((workerId, dpRank, hasParent, parent, engine, local, count) ->
        {
            if (0 != index.store(workerId, dpRank, hasParent, parent, engine, local, count))
            {
                refused[0]++;
            }
        });
        return refused[0];
    }

    private void ensure(final long more)
    {
        if (size + more > Integer.MAX_VALUE - 8)
        {
            throw new IllegalStateException("dump too large to buffer: " + size + " words");
        }
        if (size + more > data.length)
        {
            data = Arrays.copyOf(data, (int)Math.min(Integer.MAX_VALUE - 8, Math.max(size + more, 2L * data.length)));
        }
    }
}
