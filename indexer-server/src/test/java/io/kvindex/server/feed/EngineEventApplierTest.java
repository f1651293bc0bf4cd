package io.kvindex.server.feed;

import io.kvindex.client.BlockHasher;
import io.kvindex.client.BlockHashing;
import io.kvindex.index.EventStatus;
import io.kvindex.index.EventType;
import io.kvindex.index.IndexEquivalence;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.ReferenceBlockIndex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.kvindex.server.feed.EnginePayloads.arrayBatch;
import static io.kvindex.server.feed.EnginePayloads.arrayBatchOfMaps;
import static io.kvindex.server.feed.EnginePayloads.batch;
import static io.kvindex.server.feed.EnginePayloads.cleared;
import static io.kvindex.server.feed.EnginePayloads.removed;
import static io.kvindex.server.feed.EnginePayloads.stored;
import static io.kvindex.server.feed.EnginePayloads.uint64List;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every encoding variant of {@code spec/engine-events.md}, packed as engines pack it, decoded and applied to an
 * off-heap index, which must then equal a reference index fed the logical events directly.
 */
class EngineEventApplierTest
{
    private static final int BS = 4;
    private static final long WORKER = 7;
    private static final long H1 = 0x8000_0000_0000_0001L;
    private static final long H2 = 0xFFFF_FFFF_FFFF_FFFEL;
    private static final long H3 = 0x1234_5678_9ABC_DEF0L;
    private static final long H4 = 0xF00D_F00D_F00D_F00DL;
    private static final String MM_A = "a1b2c3d4e5f60718" + "0".repeat(48);
    private static final String MM_B = "00000000000000ff" + "f".repeat(48);

    private final KvEventBatchDecoder decoder = new KvEventBatchDecoder();
    private final DecodedBatch batch = new DecodedBatch();
    private final OffHeapBlockIndex actual =
        new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(4096).maxOwners(64).conclude());
    private final ReferenceBlockIndex expected = new ReferenceBlockIndex();
    private final EngineEventApplier applier = new EngineEventApplier(actual, BS, 16);
    private final BlockHasher hasher = new BlockHasher(BS);

    @AfterEach
    void close()
    {
        actual.close();
        expected.close();
    }

    @Test
    void shouldApplyVllmMapEventsInAnyKeyOrderWithUint64Hashes()
    {
        final Map<String, Object> first = stored(uint64List(H1, H2), null, tokens(2, 100), BS,
            "extra_keys", Arrays.asList(null, null), "group_idx", 0, "kv_cache_spec_kind", "full_attention");
        final Map<String, Object> second = shuffled(stored(uint64List(H3), EnginePayloads.uint64(H2),
            tokens(1, 200), BS, "unknown_future_key", List.of(1, 2, 3)), 42);
        feed(arrayBatchOfMaps(null, List.of(first, second)));

        expectStored(0, false, 0, new long[]{ H1, H2 }, tokens(2, 100));
        expectStored(0, true, H2, new long[]{ H3 }, tokens(1, 200));
        assertIndexMatches();
        assertEquals(2, applier.indexCounters().get(EventType.STORED, EventStatus.OK));
    }

    @Test
    void shouldApplyArrayEventsWithMissingOrExtraTrailingFields()
    {
        final Map<String, Object> old = EnginePayloads.event("BlockStored", "block_hashes", uint64List(H1),
            "parent_block_hash", null, "token_ids", tokens(1, 1), "block_size", BS, "lora_id", null, "medium", null);
        final Map<String, Object> newer = stored(uint64List(H2), EnginePayloads.uint64(H1), tokens(1, 2), BS,
            "extra_keys", Collections.singletonList(null), "group_idx", 0, "kv_cache_spec_kind", "mla_attention",
            "kv_cache_spec_sliding_window", null, "trailing", new Object[]{ "future", Map.of("metadata", 1) });
        feed(arrayBatch(0, List.of(old, newer)));

        expectStored(0, false, 0, new long[]{ H1 }, tokens(1, 1));
        expectStored(0, true, H1, new long[]{ H2 }, tokens(1, 2));
        assertIndexMatches();
    }

    @Test
    void shouldReadSglangInt64HashesAndAttnDpRank()
    {
        final Map<String, Object> event = stored(new long[]{ -5L, -6L, 7L }, null, tokens(3, 9), BS);
        feed(arrayBatch(3, List.of(event)));

        expectStored(3, false, 0, new long[]{ -5L, -6L, 7L }, tokens(3, 9));
        assertIndexMatches();
    }

    @Test
    void shouldFoldBinHashesToTheirLastEightBytes()
    {
        final byte[] bin8 = bytes(8, 0x11);
        final byte[] bin16 = bytes(16, 0x20);
        final byte[] bin32 = bytes(32, 0x40);
        feed(arrayBatch(null, List.of(stored(List.of(bin8, bin16, bin32), null, tokens(3, 0), BS))));

        expectStored(0, false, 0, new long[]{ tail(bin8), tail(bin16), tail(bin32) }, tokens(3, 0));
        assertIndexMatches();
    }

    @Test
    void shouldAcceptMapBatchWithArrayOrMapEvents()
    {
        feed(batch(true, false, null, List.of(stored(uint64List(H1), null, tokens(1, 5), BS))));
        feed(batch(true, true, 1, List.of(stored(uint64List(H2), null, tokens(1, 6), BS))));

        expectStored(0, false, 0, new long[]{ H1 }, tokens(1, 5));
        expectStored(1, false, 0, new long[]{ H2 }, tokens(1, 6));
        assertIndexMatches();
    }

    @Test
    void shouldReduceEagleTokenPairsToTheirFirstToken()
    {
        final int[] flat = tokens(2, 30);
        final List<Object> pairs = new ArrayList<>();
        for (int i = 0; i < flat.length; i++)
        {
            pairs.add(List.of(flat[i], flat[i] + 1));
        }
        feed(arrayBatch(null, List.of(stored(uint64List(H1, H2), null, null, BS, "token_ids", pairs))));

        expectStored(0, false, 0, new long[]{ H1, H2 }, flat);
        assertIndexMatches();
    }

    @Test
    void shouldHashMultimodalExtraKeysOfEachBlock()
    {
        final List<Object> extraKeys = Arrays.asList(
            List.of(MM_A, "cache-salt", 17),
            null,
            List.of(List.of(MM_B, 3), MM_A.toUpperCase()));
        feed(arrayBatchOfMaps(null, List.of(stored(uint64List(H1, H2, H3), null, tokens(3, 50), BS,
            "extra_keys", extraKeys))));

        final int[] tokens = tokens(3, 50);
        final long mmA = BlockHashing.multimodalHashFromExtraKey(MM_A);
        final long mmB = BlockHashing.multimodalHashFromExtraKey(MM_B);
        final long[] local =
        {
            hasher.localHash(tokens, 0, new long[]{ mmA }, 1),
            hasher.localHash(tokens, BS),
            hasher.localHash(tokens, 2 * BS, new long[]{ mmA, mmB }, 2),
        };
        expected.store(WORKER, 0, false, 0, new long[]{ H1, H2, H3 }, local, 3);
        assertIndexMatches();
    }

    @Test
    void shouldSeedLocalHashesWithLoraName()
    {
        feed(arrayBatch(null, List.of(
            stored(uint64List(H1), null, tokens(1, 70), BS, "lora_name", "adapter-a"),
            stored(uint64List(H2), null, tokens(1, 70), BS, "lora_name", ""))));

        hasher.seed(BlockHashing.loraSeed("adapter-a"));
        expected.store(WORKER, 0, false, 0, new long[]{ H1 }, new long[]{ hasher.localHash(tokens(1, 70), 0) }, 1);
        hasher.seed(BlockHashing.SEED);
        expectStored(0, false, 0, new long[]{ H2 }, tokens(1, 70));
        assertIndexMatches();
    }

    @Test
    void shouldLetBatchDpRankOverrideRegisteredRank()
    {
        feed(arrayBatch(5, List.of(stored(uint64List(H1), null, tokens(1, 1), BS))), 2);
        feed(arrayBatch(null, List.of(stored(uint64List(H2), null, tokens(1, 2), BS))), 2);

        expectStored(5, false, 0, new long[]{ H1 }, tokens(1, 1));
        expectStored(2, false, 0, new long[]{ H2 }, tokens(1, 2));
        assertIndexMatches();
    }

    @Test
    void shouldCutStoredEventAtFirstBlockWithTooFewTokens()
    {
        final int[] short2 = Arrays.copyOf(tokens(3, 10), 2 * BS + 1);
        feed(arrayBatch(null, List.of(stored(uint64List(H1, H2, H3), null, short2, BS))));

        expectStored(0, false, 0, new long[]{ H1, H2 }, tokens(2, 10));
        assertIndexMatches();
        assertEquals(1, applier.outcomeCount(EngineEventApplier.CUT_SHORT_TOKENS));
    }

    @Test
    void shouldDropStoredEventWithAnotherBlockSize()
    {
        feed(arrayBatch(null, List.of(
            stored(uint64List(H1, H2), null, tokens(1, 10), 2 * BS),
            stored(uint64List(H3), null, tokens(1, 10), BS))));

        expectStored(0, false, 0, new long[]{ H3 }, tokens(1, 10));
        assertIndexMatches();
        assertEquals(1, applier.outcomeCount(EngineEventApplier.CUT_BLOCK_SIZE));
    }

    @Test
    void shouldIgnoreOffloadMediumForStoreAndRemove()
    {
        feed(arrayBatch(null, List.of(
            stored(uint64List(H1), null, tokens(1, 1), BS),
            stored(uint64List(H2), null, tokens(1, 2), BS, "medium", "CPU_TIER1"),
            removed(uint64List(H1), "medium", "DISK"),
            stored(uint64List(H3), null, tokens(1, 3), BS, "medium", "gpu"))));

        expectStored(0, false, 0, new long[]{ H1 }, tokens(1, 1));
        expectStored(0, false, 0, new long[]{ H3 }, tokens(1, 3));
        assertIndexMatches();
        assertEquals(2, applier.outcomeCount(EngineEventApplier.IGNORED_MEDIUM));
    }

    @Test
    void shouldIndexOnlyMainAttentionGroups()
    {
        feed(arrayBatchOfMaps(null, List.of(
            stored(uint64List(H1), null, tokens(1, 1), BS, "group_idx", 1, "kv_cache_spec_kind", "sliding_window"),
            stored(uint64List(H2), null, tokens(1, 2), BS, "group_idx", 1),
            stored(uint64List(H3), null, tokens(1, 3), BS, "group_idx", 2, "kv_cache_spec_kind", "full_attention"),
            stored(uint64List(H4), null, tokens(1, 4), BS, "kv_cache_spec_kind", "sink_full_attention"),
            removed(uint64List(H3), "group_idx", 1))));

        expectStored(0, false, 0, new long[]{ H3 }, tokens(1, 3));
        expectStored(0, false, 0, new long[]{ H4 }, tokens(1, 4));
        assertIndexMatches();
        assertEquals(3, applier.outcomeCount(EngineEventApplier.IGNORED_GROUP));
    }

    @Test
    void shouldDropStoredEventWhoseHashesRepeat()
    {
        final long[] many = new Random(1).longs(40).toArray();
        final long[] manyRepeating = many.clone();
        manyRepeating[39] = many[3];
        feed(arrayBatch(null, List.of(
            stored(uint64List(H1), null, tokens(1, 1), BS),
            stored(uint64List(H2, H2), EnginePayloads.uint64(H1), tokens(2, 2), BS),
            stored(uint64List(H3), EnginePayloads.uint64(H3), tokens(1, 3), BS),
            stored(many, null, tokens(40, 5), BS),
            stored(manyRepeating, null, tokens(40, 6), BS))));

        expectStored(0, false, 0, new long[]{ H1 }, tokens(1, 1));
        expectStored(0, false, 0, many, tokens(40, 5));
        assertIndexMatches();
        assertEquals(3, applier.outcomeCount(EngineEventApplier.DUPLICATE_HASH));
    }

    @Test
    void shouldRemoveBlocksAndClearWorker()
    {
        feed(arrayBatch(null, List.of(
            stored(uint64List(H1, H2, H3), null, tokens(3, 1), BS),
            removed(uint64List(H2, H4)))));
        feed(arrayBatch(1, List.of(stored(uint64List(H4), null, tokens(1, 9), BS))));

        expectStored(0, false, 0, new long[]{ H1, H2, H3 }, tokens(3, 1));
        expected.remove(WORKER, 0, new long[]{ H2, H4 }, 2);
        expectStored(1, false, 0, new long[]{ H4 }, tokens(1, 9));
        assertIndexMatches();
        assertEquals(1, applier.indexCounters().get(EventType.REMOVED, EventStatus.BLOCK_NOT_FOUND));

        feed(arrayBatchOfMaps(null, List.of(cleared())));
        expected.clear(WORKER);
        assertIndexMatches();
        assertEquals(0, actual.treeSize(WORKER, 1));
    }

    private void feed(final byte[] payload)
    {
        feed(payload, 0);
    }

    private void feed(final byte[] payload, final int registeredDpRank)
    {
        assertEquals(DecodeStatus.OK, decoder.decode(payload, 0, payload.length, batch));
        applier.apply(batch, WORKER, registeredDpRank);
    }

    private void expectStored(
        final int dpRank, final boolean hasParent, final long parent, final long[] engine, final int[] tokens)
    {
        final long[] local = new long[engine.length];
        hasher.localHashes(tokens, tokens.length, local);
        expected.store(WORKER, dpRank, hasParent, parent, engine, local, engine.length);
    }

    private void assertIndexMatches()
    {
        IndexEquivalence.assertEquivalent(expected, actual);
    }

    static int[] tokens(final int blocks, final int base)
    {
        final int[] tokens = new int[blocks * BS];
        for (int i = 0; i < tokens.length; i++)
        {
            tokens[i] = base * 1000 + i;
        }
        return tokens;
    }

    private static byte[] bytes(final int length, final int base)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(base + i * 7 + 0x80);
        }
        return bytes;
    }

    private static long tail(final byte[] bytes)
    {
        long value = 0;
        for (int i = bytes.length - Long.BYTES; i < bytes.length; i++)
        {
            value = (value << 8) | (bytes[i] & 0xFF);
        }
        return value;
    }

    private static Map<String, Object> shuffled(final Map<String, Object> event, final long seed)
    {
        final List<Map.Entry<String, Object>> entries = new ArrayList<>(event.entrySet());
        Collections.shuffle(entries, new Random(seed));
        final Map<String, Object> result = new java.util.LinkedHashMap<>();
        for (final Map.Entry<String, Object> entry : entries)
        {
            result.put(entry.getKey(), entry.getValue());
        }
        return result;
    }
}
