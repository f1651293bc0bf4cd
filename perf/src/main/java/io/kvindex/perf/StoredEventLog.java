package io.kvindex.perf;

import io.kvindex.index.BlockIndex;
import io.kvindex.index.EventStatus;

import java.util.Arrays;

/**
 * Stored events in primitive arrays, in the order an index must apply them: per event the owner, the parent
 * engine hash (if any) and a run of blocks in the flat engine and local hash arrays.
 */
final class StoredEventLog
{
    private int[] owners = new int[1024];
    private boolean[] hasParents = new boolean[1024];
    private long[] parents = new long[1024];
    private int[] offsets = new int[1024];
    private long[] engineHashes = new long[16 * 1024];
    private long[] localHashes = new long[16 * 1024];
    private int events;
    private int blocks;
    private int maxEventBlocks;

    void begin(final int owner, final boolean hasParent, final long parentEngineHash)
    {
        if (events + 1 >= offsets.length)
        {
            final int capacity = offsets.length * 2;
            owners = Arrays.copyOf(owners, capacity);
            hasParents = Arrays.copyOf(hasParents, capacity);
            parents = Arrays.copyOf(parents, capacity);
            offsets = Arrays.copyOf(offsets, capacity);
        }
        owners[events] = owner;
        hasParents[events] = hasParent;
        parents[events] = parentEngineHash;
        offsets[events] = blocks;
        events++;
        offsets[events] = blocks;
    }

    void addBlock(final long engineHash, final long localHash)
    {
        if (blocks == engineHashes.length)
        {
            engineHashes = Arrays.copyOf(engineHashes, blocks * 2);
            localHashes = Arrays.copyOf(localHashes, blocks * 2);
        }
        engineHashes[blocks] = engineHash;
        localHashes[blocks] = localHash;
        blocks++;
        offsets[events] = blocks;
        maxEventBlocks = Math.max(maxEventBlocks, blocks - offsets[events - 1]);
    }

    int events()
    {
        return events;
    }

    int blocks()
    {
        return blocks;
    }

    /**
     * Apply every event in order; any status but OK is a bug in the index or the workload and throws.
     */
    void applyTo(final BlockIndex index, final long[] workerIds, final int[] dpRanks)
    {
        final long[] engine = new long[Math.max(1, maxEventBlocks)];
        final long[] local = new long[engine.length];
        for (int e = 0; e < events; e++)
        {
            final int offset = offsets[e];
            final int count = offsets[e + 1] - offset;
            System.arraycopy(engineHashes, offset, engine, 0, count);
            System.arraycopy(localHashes, offset, local, 0, count);
            final int owner = owners[e];
            final int status = index.store(
                workerIds[owner], dpRanks[owner], hasParents[e], parents[e], engine, local, count);
            if (EventStatus.OK != status)
            {
                throw new IllegalStateException("populate: Stored event " + e + " of " + events + " (owner " +
                    owner + ", " + count + " blocks) gave " + EventStatus.name(status));
            }
        }
    }
}
