package io.kvindex.server.relay;

import io.kvindex.index.BlockIndex;
import io.kvindex.server.feed.DecodeStatus;
import io.kvindex.server.feed.DecodedBatch;
import io.kvindex.server.feed.EngineEventApplier;
import io.kvindex.server.feed.KvEventBatchDecoder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.kvindex.server.feed.EnginePayloads.arrayBatch;
import static io.kvindex.server.feed.EnginePayloads.batch;
import static io.kvindex.server.feed.EnginePayloads.cleared;
import static io.kvindex.server.feed.EnginePayloads.removed;
import static io.kvindex.server.feed.EnginePayloads.stored;
import static io.kvindex.server.feed.EnginePayloads.uint64List;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One simulated vLLM engine's KV-event batches, seeded: chains grown under the last block held, leaf removals, a
 * rare cache reset; engine hashes at or above 2^63, some events under a LoRA name or on an offload tier (ignored),
 * batches as arrays or maps and events as arrays or maps in turn. {@link #applyTo} feeds the same payloads through
 * the indexer's own decoder and applier, which is what an index fed by the relay must end equal to.
 */
final class EngineBatchStream
{
    private final SplittableRandom random;
    private final long hashBase;
    private final int blockSize;
    private final List<byte[]> payloads = new ArrayList<>();
    private final long[] held = new long[256];
    private int heldCount;
    private long nextHash;

    EngineBatchStream(final long seed, final int blockSize, final int batches)
    {
        this.random = new SplittableRandom(seed);
        this.hashBase = 0x8000_0000_0000_0000L | (seed << 40);
        this.blockSize = blockSize;
        for (int i = 0; i < batches; i++)
        {
            payloads.add(nextBatch());
        }
    }

    List<byte[]> payloads()
    {
        return payloads;
    }

    /**
     * Apply every payload as the indexer's own ZMQ feed would, for one owner.
     *
     * @return the number of events handed to the index, which a relay publishes.
     */
    long applyTo(final BlockIndex index, final long workerId, final int dpRank)
    {
        long applied = 0;
        final KvEventBatchDecoder decoder = new KvEventBatchDecoder();
        final EngineEventApplier applier =
            new EngineEventApplier(index, blockSize, KvEventBatchDecoder.DEFAULT_MAX_MM_HASHES);
        final DecodedBatch batch = new DecodedBatch();
        for (final byte[] payload : payloads)
        {
            assertEquals(DecodeStatus.OK, decoder.decode(payload, 0, payload.length, batch));
            applied += applier.apply(batch, workerId, dpRank);
        }
        return applied;
    }

    private byte[] nextBatch()
    {
        final List<Map<String, Object>> events = new ArrayList<>();
        for (int e = 1 + random.nextInt(3); e > 0; e--)
        {
            events.add(nextEvent());
        }
        switch (random.nextInt(3))
        {
            case 0:
                return arrayBatch(null, events);

            case 1:
                return batch(false, true, null, events);

            default:
                return batch(true, random.nextBoolean(), null, events);
        }
    }

    private Map<String, Object> nextEvent()
    {
        final int choice = random.nextInt(100);
        if (choice < 1)
        {
            heldCount = 0;
            return cleared();
        }
        if (choice < 40 && heldCount > 0)
        {
            final int count = Math.min(heldCount, 1 + random.nextInt(2));
            final long[] hashes = new long[count];
            for (int i = 0; i < count; i++)
            {
                hashes[i] = held[--heldCount];
            }
            return removed(uint64List(hashes));
        }
        final int count = 1 + random.nextInt(4);
        final long[] hashes = new long[count];
        final int[] tokens = new int[count * blockSize];
        for (int b = 0; b < count; b++)
        {
            hashes[b] = hashBase + nextHash++;
            for (int t = 0; t < blockSize; t++)
            {
                tokens[b * blockSize + t] = random.nextInt(8) * 100 + t;
            }
        }
        final Long parent = heldCount > 0 && random.nextInt(5) > 0 ? held[heldCount - 1] : null;
        if (null == parent)
        {
            heldCount = 0;
        }
        final boolean offload = random.nextInt(20) == 0;
        final String lora = random.nextInt(6) == 0 ? "adapter-" + random.nextInt(2) : null;
        if (!offload)
        {
            for (int b = 0; b < count && heldCount < held.length; b++)
            {
                held[heldCount++] = hashes[b];
            }
        }
        return stored(uint64List(hashes), null == parent ? null : uint64List(parent).get(0), tokens, blockSize,
            "medium", offload ? "CPU" : "GPU", "lora_name", lora);
    }
}
