package io.kvindex.server.feed;

import io.kvindex.client.BlockHasher;
import io.kvindex.client.BlockHashing;
import io.kvindex.index.BlockIndex;
import io.kvindex.index.IndexEquivalence;
import io.kvindex.index.IndexEquivalence.Block;
import io.kvindex.index.IndexEquivalence.OwnerId;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.ReferenceBlockIndex;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static io.kvindex.server.feed.EnginePayloads.cleared;
import static io.kvindex.server.feed.EnginePayloads.removed;
import static io.kvindex.server.feed.EnginePayloads.stored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Valid engine batches in every encoding go to worker 1; mutated and random payloads (bit flips, truncation, random
 * bytes, huge length headers, spliced type bytes) to worker 2. The decoder and applier must never throw, the off-heap
 * index must equal the reference index fed the same decoded stream, and worker 1 must hold exactly what its valid
 * events say.
 */
class EngineFeedFuzzTest
{
    private static final int BS = 4;
    private static final int MAX_MM = 4;
    private static final long VALID_WORKER = 1;
    private static final long FUZZ_WORKER = 2;
    private static final int VALID_BATCHES = 25_000;
    private static final int MUTATIONS_PER_BATCH = 4;
    private static final String[] LORAS = { null, "alpha", "beta" };
    private static final byte[] TYPE_BYTES =
    {
        (byte)0xc0, (byte)0xc2, (byte)0xc4, (byte)0xca, (byte)0xcb, (byte)0xcf, (byte)0xd3, (byte)0xd9, (byte)0xdc,
        (byte)0xdd, (byte)0xde, (byte)0xdf, (byte)0xa3, (byte)0x93, (byte)0x83, (byte)0xff, (byte)0x7f, (byte)0xc1
    };

    private final Random random = new Random(20_260_611L);
    private final BlockHasher hasher = new BlockHasher(BS, MAX_MM);
    private final List<Long> held = new ArrayList<>();

    @Test
    void shouldSurviveMutatedPayloadsAndKeepValidEvents()
    {
        final KvEventBatchDecoder decoder = new KvEventBatchDecoder(64, 256, 4096, MAX_MM);
        final DecodedBatch batch = new DecodedBatch();
        try (OffHeapBlockIndex offHeap = new OffHeapBlockIndex(
                new OffHeapBlockIndex.Context().maxBlocks(1 << 20).maxOwners(8192).conclude());
            ReferenceBlockIndex mirror = new ReferenceBlockIndex(1 << 20, 8192);
            ReferenceBlockIndex validOnly = new ReferenceBlockIndex())
        {
            final EngineEventApplier toOffHeap = new EngineEventApplier(offHeap, BS, MAX_MM);
            final EngineEventApplier toMirror = new EngineEventApplier(mirror, BS, MAX_MM);
            int mutated = 0;
            for (int i = 0; i < VALID_BATCHES; i++)
            {
                final byte[] payload = validBatch(validOnly, VALID_BATCHES / 2 == i);
                assertEquals(DecodeStatus.OK, decoder.decode(payload, 0, payload.length, batch), "batch " + i);
                toOffHeap.apply(batch, VALID_WORKER, 0);
                toMirror.apply(batch, VALID_WORKER, 0);
                for (int m = 0; m < MUTATIONS_PER_BATCH; m++)
                {
                    final byte[] bad = mutate(payload);
                    mutated++;
                    if (DecodeStatus.OK == decoder.decode(bad, 0, bad.length, batch))
                    {
                        toOffHeap.apply(batch, FUZZ_WORKER, 0);
                        toMirror.apply(batch, FUZZ_WORKER, 0);
                    }
                }
                if (i % 10_000 == 9_999)
                {
                    IndexEquivalence.assertEquivalent(mirror, offHeap, "after batch " + i);
                }
            }

            assertTrue(mutated >= 100_000);
            IndexEquivalence.assertEquivalent(mirror, offHeap, "at the end");
            final Map<OwnerId, Map<Long, Block>> expected = IndexEquivalence.canonicalForm(validOnly);
            assertTrue(expected.values().stream().mapToInt(Map::size).sum() > 1_000, "valid blocks held");
            assertEquals(expected, ownersOf(offHeap, VALID_WORKER));
            for (final int status : new int[]{ DecodeStatus.MALFORMED, DecodeStatus.WRONG_TYPE })
            {
                assertTrue(decoder.batchCount(status) + decoder.eventCount(status) > 100, DecodeStatus.name(status));
            }
            assertTrue(decoder.eventCount(DecodeStatus.UNKNOWN_EVENT_KIND) > 0);
        }
    }

    private byte[] validBatch(final BlockIndex validOnly, final boolean clearFirst)
    {
        final List<Map<String, Object>> events = new ArrayList<>();
        if (clearFirst)
        {
            validOnly.clear(VALID_WORKER);
            held.clear();
            events.add(cleared());
        }
        final int count = 1 + random.nextInt(4);
        for (int i = 0; i < count; i++)
        {
            if (random.nextInt(100) < 70 || held.isEmpty())
            {
                events.add(storedEvent(validOnly));
            }
            else
            {
                final long[] hashes = { held.get(random.nextInt(held.size())) };
                validOnly.remove(VALID_WORKER, 0, hashes, 1);
                events.add(removed(hashes(hashes)));
            }
        }
        final Integer dpRank = random.nextBoolean() ? null : 0;
        return EnginePayloads.batch(random.nextBoolean(), random.nextBoolean(), dpRank, events);
    }

    private Map<String, Object> storedEvent(final BlockIndex validOnly)
    {
        final int blocks = 1 + random.nextInt(6);
        final boolean hasParent = !held.isEmpty() && random.nextBoolean();
        final long parent = hasParent ? held.get(random.nextInt(held.size())) : 0;
        final long[] engine = new long[blocks];
        final long[] local = new long[blocks];
        final int[] tokens = new int[blocks * BS];
        final String lora = LORAS[random.nextInt(LORAS.length)];
        final List<Object> extraKeys = new ArrayList<>();
        hasher.seed(BlockHashing.loraSeed(lora));
        for (int b = 0; b < blocks; b++)
        {
            engine[b] = random.nextLong();
            for (int t = 0; t < BS; t++)
            {
                tokens[b * BS + t] = random.nextInt(64);
            }
            if (random.nextInt(8) == 0)
            {
                final long mm = random.nextLong();
                extraKeys.add(List.of(String.format("%016x", mm) + "0".repeat(48)));
                local[b] = hasher.localHash(tokens, b * BS, new long[]{ mm }, 1);
            }
            else
            {
                extraKeys.add(null);
                local[b] = hasher.localHash(tokens, b * BS);
            }
            held.add(engine[b]);
        }
        validOnly.store(VALID_WORKER, 0, hasParent, parent, engine, local, blocks);
        return stored(hashes(engine), hasParent ? hash(parent) : null, tokens, BS, "lora_name", lora,
            "extra_keys", extraKeys);
    }

    private List<Object> hashes(final long[] values)
    {
        final List<Object> list = new ArrayList<>();
        for (final long value : values)
        {
            list.add(hash(value));
        }
        return list;
    }

    private Object hash(final long value)
    {
        final int encoding = random.nextInt(3);
        if (0 == encoding)
        {
            return EnginePayloads.uint64(value);
        }
        if (1 == encoding)
        {
            return value;
        }
        final byte[] bin = new byte[8 + 8 * random.nextInt(4)];
        random.nextBytes(bin);
        for (int i = 0; i < Long.BYTES; i++)
        {
            bin[bin.length - 1 - i] = (byte)(value >>> (8 * i));
        }
        return bin;
    }

    private byte[] mutate(final byte[] payload)
    {
        final int kind = random.nextInt(6);
        final int at = random.nextInt(payload.length);
        switch (kind)
        {
            case 0:
            {
                final byte[] bad = payload.clone();
                for (int i = 1 + random.nextInt(4); i > 0; i--)
                {
                    bad[random.nextInt(bad.length)] ^= (byte)(1 << random.nextInt(8));
                }
                return bad;
            }
            case 1:
                return Arrays.copyOf(payload, at);
            case 2:
            {
                final byte[] bad = new byte[random.nextInt(96)];
                random.nextBytes(bad);
                return bad;
            }
            case 3:
            {
                final byte[] bad = Arrays.copyOf(payload, Math.max(payload.length, at + 5));
                bad[at] = TYPE_BYTES[8 + random.nextInt(4)];
                for (int i = 1; i < 5; i++)
                {
                    bad[at + i] = random.nextBoolean() ? (byte)0xff : (byte)random.nextInt();
                }
                return bad;
            }
            case 4:
            {
                final byte[] bad = payload.clone();
                bad[at] = TYPE_BYTES[random.nextInt(TYPE_BYTES.length)];
                return bad;
            }
            default:
            {
                final byte[] bad = new byte[payload.length + 1];
                System.arraycopy(payload, 0, bad, 0, at);
                bad[at] = (byte)random.nextInt();
                System.arraycopy(payload, at, bad, at + 1, payload.length - at);
                return bad;
            }
        }
    }

    private static Map<OwnerId, Map<Long, Block>> ownersOf(final BlockIndex index, final long workerId)
    {
        final Map<OwnerId, Map<Long, Block>> all = IndexEquivalence.canonicalForm(index);
        final Map<OwnerId, Map<Long, Block>> selected = new TreeMap<>();
        all.forEach((owner, blocks) ->
        {
            if (owner.workerId() == workerId)
            {
                selected.put(owner, blocks);
            }
        });
        return selected;
    }
}
