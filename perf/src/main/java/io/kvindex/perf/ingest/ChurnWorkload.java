package io.kvindex.perf.ingest;

import io.kvindex.client.KvEventPublisher;

import java.util.Arrays;

/**
 * The KV events of engines under steady cache churn, generated on the fly without allocating: owners taken in
 * turn, each growing one chain by Stored events of 1 to 4 blocks (each under the last block stored) up to a
 * length, then evicting it from the tail by Removed events listing 1 to 4 blocks (leaf first, as vLLM lists
 * evictions), then starting a new chain. Local hashes repeat across owners (8 shared prompt families), engine hashes
 * are the owner's own, so every event applies with status OK and the index size stays bounded.
 */
final class ChurnWorkload
{
    private static final int MAX_BLOCKS = 4;
    private static final int FAMILIES = 8;

    private final int owners;
    private final int chainLength;
    private final long workerBase;
    private final int[] length;
    private final boolean[] growing;
    private final long[] generation;
    private final long[] engineHashes = new long[MAX_BLOCKS];
    private final long[] localHashes = new long[MAX_BLOCKS];
    private long random = 0x9E37_79B9_7F4A_7C15L;
    private int next;
    private long stored;
    private long removed;
    private long blocks;

    /**
     * A workload over {@code owners} owners (workers {@code workerBase + i}, dp rank 0).
     *
     * @param owners      number of owners.
     * @param chainLength blocks a chain grows to before it is evicted.
     * @param workerBase  worker id of the first owner.
     */
    ChurnWorkload(final int owners, final int chainLength, final long workerBase)
    {
        this.owners = owners;
        this.chainLength = chainLength;
        this.workerBase = workerBase;
        this.length = new int[owners];
        this.growing = new boolean[owners];
        this.generation = new long[owners];
        Arrays.fill(growing, true);
    }

    /**
     * Publish the next event.
     *
     * @param publisher the publisher.
     * @return the publisher's result.
     */
    long publishNext(final KvEventPublisher publisher)
    {
        final int owner = next;
        next = next + 1 == owners ? 0 : next + 1;
        final long workerId = workerBase + owner;
        final int wanted = 1 + (int)((random = random * 6364136223846793005L + 1442695040888963407L) >>> 62);
        final int held = length[owner];
        if (growing[owner])
        {
            final int count = Math.min(wanted, chainLength - held);
            for (int b = 0; b < count; b++)
            {
                engineHashes[b] = engineHash(owner, held + b);
                localHashes[b] = localHash(owner, held + b);
            }
            final long result = publisher.publishStored(
                workerId, 0, held > 0, held > 0 ? engineHash(owner, held - 1) : 0, engineHashes, localHashes, count);
            if (result >= 0)
            {
                length[owner] = held + count;
                growing[owner] = held + count < chainLength;
                stored++;
                blocks += count;
            }
            return result;
        }
        final int count = Math.min(wanted, held);
        for (int b = 0; b < count; b++)
        {
            engineHashes[b] = engineHash(owner, held - 1 - b);
        }
        final long result = publisher.publishRemoved(workerId, 0, engineHashes, count);
        if (result >= 0)
        {
            length[owner] = held - count;
            if (held == count)
            {
                growing[owner] = true;
                generation[owner]++;
            }
            removed++;
            blocks += count;
        }
        return result;
    }

    long storedEvents()
    {
        return stored;
    }

    long removedEvents()
    {
        return removed;
    }

    long blocks()
    {
        return blocks;
    }

    private long engineHash(final int owner, final int position)
    {
        return mix((workerBase + owner) * 0x1_0000_0000L + generation[owner] * 65_537L + position);
    }

    private long localHash(final int owner, final int position)
    {
        return mix(0x5EED_0000_0000_0000L + ((generation[owner] + owner) % FAMILIES) * 1_000_003L + position);
    }

    static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 33)) * 0xFF51_AFD7_ED55_8CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CE_B9FE_1A85_EC53L;
        return z ^ (z >>> 33);
    }
}
