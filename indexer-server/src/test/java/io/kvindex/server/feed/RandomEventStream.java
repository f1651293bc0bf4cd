package io.kvindex.server.feed;

import io.kvindex.client.BlockHasher;
import io.kvindex.client.BlockHashing;
import io.kvindex.client.KvEventProtocol;
import io.kvindex.client.KvEventPublisher;
import io.kvindex.index.BlockIndex;
import io.kvindex.index.EventStatus;

import org.agrona.collections.LongHashSet;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded random stream of KV events over several workers and dp ranks, each applied to an expected index and
 * published with a {@link KvEventPublisher}: Stored with local hashes or with token ids (some under a LoRA name),
 * Removed, Cleared and RemoveWorker. Owners grow chains under blocks they hold and share prefixes (local hashes and
 * tokens come from a small vocabulary); a steady share is adversarial: unknown parents and unknown removals.
 */
final class RandomEventStream
{
    private static final int WORKERS = 6;
    private static final int RANKS = 3;
    private static final int HELD = 128;
    private static final int MAX_BLOCKS = 4;
    private static final String[] LORA_NAMES = { "adapter-a", "adapter-b" };

    private final SplittableRandom random;
    private final int blockSize;
    private final BlockIndex expected;
    private final KvEventPublisher publisher;
    private final BlockHasher hasher;
    private final long[][] heldEngine = new long[WORKERS * RANKS][HELD];
    private final long[][] heldLocal = new long[WORKERS * RANKS][HELD];
    private final long[][] heldParent = new long[WORKERS * RANKS][HELD];
    private final boolean[][] heldAtRoot = new boolean[WORKERS * RANKS][HELD];
    private final LongHashSet gone = new LongHashSet();
    private final int[] heldCount = new int[WORKERS * RANKS];
    private final long[] engineHashes = new long[MAX_BLOCKS];
    private final long[] localHashes = new long[MAX_BLOCKS];
    private final int[] tokens;
    private final long seed;
    private long stored;
    private long removed;
    private long cleared;
    private long workersRemoved;

    RandomEventStream(final long seed, final int blockSize, final BlockIndex expected, final KvEventPublisher publisher)
    {
        this.random = new SplittableRandom(seed);
        this.blockSize = blockSize;
        this.expected = expected;
        this.publisher = publisher;
        this.hasher = new BlockHasher(blockSize);
        this.tokens = new int[MAX_BLOCKS * blockSize];
        this.seed = seed;
    }

    /**
     * Apply and publish events.
     *
     * @param events how many.
     */
    void run(final int events)
    {
        for (int i = 0; i < events; i++)
        {
            final int owner = random.nextInt(WORKERS * RANKS);
            final long workerId = workerId(owner / RANKS);
            final int dpRank = owner % RANKS;
            final int choice = random.nextInt(1000);
            final long eventId;
            if (choice < 600 && heldCount[owner] > HELD - MAX_BLOCKS)
            {
                eventId = removed(owner, workerId, dpRank);
            }
            else if (choice < 450)
            {
                eventId = stored(owner, workerId, dpRank, false);
            }
            else if (choice < 600)
            {
                eventId = stored(owner, workerId, dpRank, true);
            }
            else if (choice < 992 && 0 == heldCount[owner])
            {
                eventId = stored(owner, workerId, dpRank, false);
            }
            else if (choice < 992)
            {
                eventId = removed(owner, workerId, dpRank);
            }
            else if (choice < 997)
            {
                eventId = cleared(owner, workerId, dpRank);
            }
            else
            {
                eventId = removeWorker(owner, workerId, choice < 999 ? dpRank : KvEventProtocol.ALL_RANKS);
            }
            assertTrue(eventId >= 0, "publish failed: " + eventId);
        }
    }

    long stored()
    {
        return stored;
    }

    long removed()
    {
        return removed;
    }

    long cleared()
    {
        return cleared;
    }

    long workersRemoved()
    {
        return workersRemoved;
    }

    static long workerId(final int worker)
    {
        return 0 == (worker & 1) ? worker + 1 : 0xF000_0000_0000_0000L | worker;
    }

    private long stored(final int owner, final long workerId, final int dpRank, final boolean asTokens)
    {
        final int count = 1 + random.nextInt(MAX_BLOCKS);
        final int parentChoice = random.nextInt(100);
        final int held = heldCount[owner];
        final boolean hasParent = parentChoice >= 20 && (held > 0 || parentChoice >= 95);
        long parent = 0;
        long parentLocal = 0;
        if (hasParent && parentChoice < 95 && held > 0)
        {
            final int at = parentChoice < 60 ? held - 1 : random.nextInt(held);
            parent = heldEngine[owner][at];
            parentLocal = heldLocal[owner][at];
        }
        else if (hasParent)
        {
            parent = random.nextLong();
        }
        final String lora = asTokens && random.nextInt(3) == 0 ? LORA_NAMES[random.nextInt(2)] : null;
        for (int b = 0; b < count; b++)
        {
            final int word = random.nextInt(4);
            for (int t = 0; t < blockSize; t++)
            {
                tokens[b * blockSize + t] = word * 1000 + t;
            }
            parentLocal = parentLocal * 31 + word + 1;
            localHashes[b] = parentLocal;
        }
        if (asTokens)
        {
            hasher.seed(null == lora ? BlockHashing.SEED : BlockHashing.loraSeed(lora));
            assertEquals(count, hasher.localHashes(tokens, count * blockSize, localHashes));
        }
        long previous = hasParent ? parent : 0;
        for (int b = 0; b < count; b++)
        {
            previous = mix(salt(owner) ^ previous * 0x9E37_79B9_7F4A_7C15L ^ localHashes[b]);
            engineHashes[b] = previous;
        }
        final long eventId = asTokens ?
            publisher.publishStoredTokens(
                workerId, dpRank, hasParent, parent, engineHashes, count, tokens, count * blockSize, lora) :
            publisher.publishStored(workerId, dpRank, hasParent, parent, engineHashes, localHashes, count);
        if (EventStatus.OK == expected.store(workerId, dpRank, hasParent, parent, engineHashes, localHashes, count))
        {
            for (int b = 0; b < count; b++)
            {
                hold(owner, engineHashes[b], localHashes[b], b > 0 || hasParent, b > 0 ? engineHashes[b - 1] : parent);
            }
        }
        stored++;
        return eventId;
    }

    private long removed(final int owner, final long workerId, final int dpRank)
    {
        final int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++)
        {
            final int held = heldCount[owner];
            final int kind = random.nextInt(10);
            if (held > 0 && kind > 0)
            {
                final int at = kind > 2 ? held - 1 : random.nextInt(held);
                engineHashes[i] = heldEngine[owner][at];
                drop(owner, at);
            }
            else
            {
                engineHashes[i] = random.nextLong();
            }
        }
        expected.remove(workerId, dpRank, engineHashes, count);
        removed++;
        return publisher.publishRemoved(workerId, dpRank, engineHashes, count);
    }

    private long cleared(final int owner, final long workerId, final int dpRank)
    {
        final int first = owner - owner % RANKS;
        for (int r = 0; r < RANKS; r++)
        {
            heldCount[first + r] = 0;
        }
        expected.clear(workerId);
        cleared++;
        return publisher.publishCleared(workerId, dpRank);
    }

    private long removeWorker(final int owner, final long workerId, final int dpRank)
    {
        final int first = owner - owner % RANKS;
        if (KvEventProtocol.ALL_RANKS == dpRank)
        {
            for (int r = 0; r < RANKS; r++)
            {
                heldCount[first + r] = 0;
            }
            expected.removeWorker(workerId);
        }
        else
        {
            heldCount[owner] = 0;
            expected.removeWorker(workerId, dpRank);
        }
        workersRemoved++;
        return publisher.publishRemoveWorker(workerId, dpRank);
    }

    /**
     * Engine hash seeds: workers 0 and 1 share one, as engines started with the same PYTHONHASHSEED do.
     */
    private long salt(final int owner)
    {
        return seed + Math.max(1, owner / RANKS) * 0x5851_F42D_4C95_7F2DL;
    }

    private static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 33)) * 0xFF51_AFD7_ED55_8CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CE_B9FE_1A85_EC53L;
        return z ^ (z >>> 33);
    }

    private void hold(
        final int owner, final long engineHash, final long localHash, final boolean hasParent, final long parent)
    {
        final int at = heldCount[owner];
        for (int i = 0; i < at; i++)
        {
            if (heldEngine[owner][i] == engineHash)
            {
                return;
            }
        }
        if (at < HELD)
        {
            heldEngine[owner][at] = engineHash;
            heldLocal[owner][at] = localHash;
            heldAtRoot[owner][at] = !hasParent;
            heldParent[owner][at] = parent;
            heldCount[owner] = at + 1;
        }
    }

    /**
     * Forget a held block and every held block after it on its chains, as the index does on a removal.
     */
    private void drop(final int owner, final int victim)
    {
        gone.clear();
        gone.add(heldEngine[owner][victim]);
        int kept = victim;
        for (int i = victim + 1, n = heldCount[owner]; i < n; i++)
        {
            if (!heldAtRoot[owner][i] && gone.contains(heldParent[owner][i]))
            {
                gone.add(heldEngine[owner][i]);
                continue;
            }
            heldEngine[owner][kept] = heldEngine[owner][i];
            heldLocal[owner][kept] = heldLocal[owner][i];
            heldParent[owner][kept] = heldParent[owner][i];
            heldAtRoot[owner][kept] = heldAtRoot[owner][i];
            kept++;
        }
        heldCount[owner] = kept;
    }
}
