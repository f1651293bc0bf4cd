package io.kvindex.mockengine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a subscriber learns from the batches: per rank, the set of cached engine hashes, checking on the way that
 * seqs follow each other per stream, a stored chain's parent is cached, and a removed block was cached.
 */
final class EventModel implements BatchListener
{
    final Map<Integer, Set<Long>> cached = new HashMap<>();
    final Map<Integer, Long> nextSeq = new HashMap<>();
    final List<WireBatch> batches = new ArrayList<>();
    private final boolean sharedStream;

    EventModel(final boolean sharedStream)
    {
        this.sharedStream = sharedStream;
    }

    @Override
    public void onBatch(final int dpRank, final long seq, final byte[] buffer, final int offset, final int length)
    {
        final int stream = sharedStream ? 0 : dpRank;
        assertEquals(nextSeq.getOrDefault(stream, 0L), seq, "seq of stream " + stream);
        nextSeq.put(stream, seq + 1);
        apply(WireBatch.decode(buffer, offset, length));
    }

    void apply(final WireBatch batch)
    {
        batches.add(batch);
        final Set<Long> blocks = cached.computeIfAbsent(batch.dpRank, (rank) -> new HashSet<>());
        for (final WireBatch.Event event : batch.events)
        {
            switch (event.type)
            {
                case "BlockStored" ->
                {
                    assertTrue(!event.hasParent || blocks.contains(event.parent), "parent cached");
                    for (final long hash : event.hashes)
                    {
                        assertTrue(blocks.add(hash), "stored twice");
                    }
                }
                case "BlockRemoved" ->
                {
                    for (final long hash : event.hashes)
                    {
                        assertTrue(blocks.remove(hash), "removed but not cached");
                    }
                }
                case "AllBlocksCleared" -> blocks.clear();
                default -> throw new AssertionError("unknown event " + event.type);
            }
        }
    }

    Set<Long> cached(final int rank)
    {
        return cached.getOrDefault(rank, Set.of());
    }

    static Set<Long> set(final long[] hashes)
    {
        final Set<Long> set = new HashSet<>();
        for (final long hash : hashes)
        {
            set.add(hash);
        }
        return set;
    }
}
