package io.kvindex.server.feed;

import io.kvindex.client.BlockHashing;
import io.kvindex.index.EventType;
import io.kvindex.index.OffHeapBlockIndex;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.kvindex.server.feed.EnginePayloads.arrayBatch;
import static io.kvindex.server.feed.EnginePayloads.arrayBatchOfMaps;
import static io.kvindex.server.feed.EnginePayloads.event;
import static io.kvindex.server.feed.EnginePayloads.pack;
import static io.kvindex.server.feed.EnginePayloads.stored;
import static io.kvindex.server.feed.EnginePayloads.uint64List;
import static io.kvindex.server.feed.EngineEventApplierTest.tokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvEventBatchDecoderTest
{
    private static final int BS = 4;

    private final KvEventBatchDecoder decoder = new KvEventBatchDecoder(8, 8, 64, 2);
    private final DecodedBatch batch = new DecodedBatch();

    @Test
    void shouldDecodeBatchFieldsAndUint64Hashes()
    {
        final byte[] payload = arrayBatch(3, List.of(stored(uint64List(-1L, Long.MIN_VALUE), null, tokens(2, 1), BS,
            "lora_name", "x")));
        assertEquals(DecodeStatus.OK, decode(payload));
        assertEquals(1_700_000_000.25, batch.timestamp());
        assertTrue(batch.hasDpRank());
        assertEquals(3, batch.dpRank());
        assertEquals(EventType.STORED, batch.kind(0));
        assertEquals(-1L, batch.engineHash(0, 0));
        assertEquals(Long.MIN_VALUE, batch.engineHash(0, 1));
        assertEquals(BS, batch.blockSize(0));
        assertEquals(BlockHashing.loraSeed("x"), batch.loraSeed(0));
        assertEquals(2 * BS, batch.tokenCount(0));
    }

    @Test
    void shouldSkipUnknownEventKindsAndKeepTheOthers()
    {
        final List<Object> events = List.of(
            List.of("BlockEvicted", List.of(1, 2)),
            Map.of("type", "SomethingNew", "block_hashes", List.of(1)),
            stored(uint64List(5L), null, tokens(1, 1), BS));
        assertEquals(DecodeStatus.OK, decode(pack((p) ->
        {
            p.packArrayHeader(3);
            p.packDouble(1.0);
            EnginePayloads.pack(p, events);
            p.packNil();
        })));
        assertStatuses(DecodeStatus.UNKNOWN_EVENT_KIND, DecodeStatus.UNKNOWN_EVENT_KIND, DecodeStatus.OK);
        assertEquals(2, decoder.eventCount(DecodeStatus.UNKNOWN_EVENT_KIND));
    }

    @Test
    void shouldMarkEventsWithWrongTypesAndMissingFields()
    {
        assertEquals(DecodeStatus.OK, decode(arrayBatchOfMaps(null, List.of(
            stored(List.of("not-a-hash"), null, tokens(1, 1), BS),
            stored(uint64List(1L), null, tokens(1, 1), BS, "token_ids", "oops"),
            stored(uint64List(1L), null, tokens(1, 1), BS, "medium", 5),
            stored(List.of(new byte[4]), null, tokens(1, 1), BS),
            event("BlockStored", "token_ids", tokens(1, 1)),
            Map.of("block_hashes", List.of(1)),
            stored(uint64List(2L), null, tokens(1, 2), BS)))));
        assertStatuses(DecodeStatus.WRONG_TYPE, DecodeStatus.WRONG_TYPE, DecodeStatus.WRONG_TYPE,
            DecodeStatus.WRONG_TYPE, DecodeStatus.MISSING_FIELD, DecodeStatus.MISSING_FIELD, DecodeStatus.OK);
    }

    @Test
    void shouldRejectEveryTruncationAndTrailingBytes()
    {
        final byte[] payload = arrayBatch(null, List.of(stored(uint64List(-7L, 8L), 9L, tokens(2, 1), BS)));
        for (int length = 0; length < payload.length; length++)
        {
            assertEquals(DecodeStatus.MALFORMED, decoder.decode(payload, 0, length, batch), "length " + length);
            assertEquals(0, batch.eventCount());
        }
        final byte[] longer = Arrays.copyOf(payload, payload.length + 1);
        assertEquals(DecodeStatus.MALFORMED, decode(longer));
        assertEquals(DecodeStatus.OK, decode(payload));
    }

    @Test
    void shouldRejectReservedBytesAndHugeLengthHeaders()
    {
        assertEquals(DecodeStatus.MALFORMED, decode(new byte[]{ (byte)0xc1 }));
        assertEquals(DecodeStatus.MALFORMED, decode(new byte[]{ (byte)0x93, (byte)0xcb, 0, 0, 0, 0, 0, 0, 0, 0,
            (byte)0xdd, (byte)0xff, (byte)0xff, (byte)0xff, (byte)0xff }));
        assertEquals(
            DecodeStatus.MALFORMED, decode(new byte[]{ (byte)0x93, 1, (byte)0xdd, 0x7f, 0, 0, 0, (byte)0xc0 }));
        assertEquals(DecodeStatus.MALFORMED, decode(new byte[]{ (byte)0xdb, 0x7f, 0, 0, 0, 'a' }));
        assertEquals(DecodeStatus.MALFORMED, decode(new byte[]{ (byte)0xdf, (byte)0xff, (byte)0xff, (byte)0xff, 1 }));
    }

    @Test
    void shouldRejectBatchesOfWrongShape()
    {
        assertEquals(DecodeStatus.WRONG_TYPE, decode(pack((p) -> p.packString("hello"))));
        assertEquals(DecodeStatus.MISSING_FIELD, decode(pack((p) -> p.packArrayHeader(1).packDouble(1.0))));
        assertEquals(DecodeStatus.MISSING_FIELD, decode(pack((p) -> p.packMapHeader(1).packString("ts").packInt(1))));
        assertEquals(DecodeStatus.WRONG_TYPE, decode(pack((p) -> p.packArrayHeader(2).packInt(1).packString("x"))));
        assertEquals(DecodeStatus.WRONG_TYPE, decode(pack((p) ->
            p.packArrayHeader(3).packInt(1).packArrayHeader(0).packString("rank"))));
        assertEquals(DecodeStatus.WRONG_TYPE, decode(pack((p) ->
            p.packArrayHeader(3).packInt(1).packArrayHeader(0).packInt(-1))));
    }

    @Test
    void shouldEnforceLimits()
    {
        final Map<String, Object> one = stored(uint64List(1L), null, tokens(1, 1), BS);
        assertEquals(DecodeStatus.TOO_LARGE, decode(arrayBatch(null, java.util.Collections.nCopies(9, one))));
        final long[] nine = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        final String mm = "ab".repeat(32);
        assertEquals(DecodeStatus.OK, decode(arrayBatch(null, List.of(
            stored(nine, null, tokens(1, 1), BS),
            stored(uint64List(1L), null, new int[65], BS),
            stored(uint64List(1L), null, tokens(1, 1), BS, "extra_keys", List.of(List.of(mm, mm, mm))),
            stored(uint64List(1L), null, tokens(1, 1), BS, "lora_name", "n".repeat(2000))))));
        assertStatuses(DecodeStatus.TOO_LARGE, DecodeStatus.TOO_LARGE, DecodeStatus.TOO_LARGE,
            DecodeStatus.TOO_LARGE);
    }

    @Test
    void shouldNotAllocatePerEventInSteadyState()
    {
        final KvEventBatchDecoder steadyDecoder = new KvEventBatchDecoder();
        final List<Map<String, Object>> events = new ArrayList<>();
        final String mm = "cd".repeat(32);
        for (int i = 0; i < 32; i++)
        {
            events.add(stored(uint64List(-1L - i), null, tokens(1, i), BS, "lora_name", i % 2 == 0 ? "a" : null,
                "extra_keys", List.of(List.of(mm)), "kv_cache_spec_kind", "full_attention"));
        }
        final byte[] payload = arrayBatchOfMaps(0, events);
        try (OffHeapBlockIndex index = new OffHeapBlockIndex(new OffHeapBlockIndex.Context().maxBlocks(1024)))
        {
            final EngineEventApplier applier = new EngineEventApplier(index, BS, 16);
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final int rounds = 2_000;
            long allocated = 0;
            for (int pass = 0; pass < 2; pass++)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < rounds; i++)
                {
                    steadyDecoder.decode(payload, 0, payload.length, batch);
                    applier.apply(batch, 1, 0);
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(32 * 2 * rounds, steadyDecoder.eventCount(DecodeStatus.OK));
            assertTrue(allocated / rounds < 128, "bytes per 32-event batch: " + allocated / rounds);
        }
    }

    private int decode(final byte[] payload)
    {
        return decoder.decode(payload, 0, payload.length, batch);
    }

    private void assertStatuses(final int... statuses)
    {
        final int[] actual = new int[batch.eventCount()];
        for (int e = 0; e < actual.length; e++)
        {
            actual[e] = batch.status(e);
        }
        assertEquals(Arrays.toString(statuses), Arrays.toString(actual));
    }
}
