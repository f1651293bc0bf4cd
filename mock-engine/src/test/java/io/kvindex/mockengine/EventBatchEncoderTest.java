package io.kvindex.mockengine;

import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageFormat;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventBatchEncoderTest
{
    private static final long BIG = 0xF0E1D2C3B4A59687L;
    private static final long SMALL = 0x0123456789ABCDEFL;

    @Test
    void shouldEncodeMapEventsWithVllmFieldsInOrderAndUnsignedHashes()
    {
        final EventBatchEncoder encoder = new EventBatchEncoder(EventFormat.MAP, HashFormat.UINT64);
        encodeSample(encoder);
        encoder.finish(1_700_000_000.5, 3);

        final WireBatch batch = decode(encoder);
        assertEquals(1_700_000_000.5, batch.ts);
        assertEquals(MessageFormat.FLOAT64, batch.tsFormat);
        assertEquals(3, batch.dpRank);
        assertEquals(3, batch.events.size());

        final WireBatch.Event stored = batch.events.get(0);
        assertTrue(stored.mapForm);
        assertEquals(List.of("type", "block_hashes", "parent_block_hash", "token_ids", "block_size", "lora_id",
            "medium", "lora_name"), stored.keys);
        assertEquals("BlockStored", stored.type);
        assertArrayEquals(new long[]{ BIG, SMALL }, stored.hashes);
        assertEquals(List.of(MessageFormat.UINT64, MessageFormat.UINT64), stored.hashFormats);
        assertFalse(stored.hasParent);
        assertArrayEquals(new int[]{ 1, 200, 70_000, 3 }, stored.tokens);
        assertEquals(2, stored.blockSize);
        assertTrue(stored.loraIdNil);
        assertTrue(stored.loraNameNil);
        assertEquals("GPU", stored.medium);

        final WireBatch.Event removed = batch.events.get(1);
        assertEquals(List.of("type", "block_hashes", "medium"), removed.keys);
        assertEquals("BlockRemoved", removed.type);
        assertArrayEquals(new long[]{ SMALL }, removed.hashes);
        assertEquals("GPU", removed.medium);

        assertEquals(List.of("type"), batch.events.get(2).keys);
        assertEquals("AllBlocksCleared", batch.events.get(2).type);
    }

    @Test
    void shouldEncodeArrayEventsAndSignedHashes()
    {
        final EventBatchEncoder encoder = new EventBatchEncoder(EventFormat.ARRAY, HashFormat.INT64);
        encoder.beginStored(true, BIG, new long[]{ 9, BIG, SMALL }, 1, 2, 2);
        encoder.writer().tokens(new int[]{ 5, 6 }, 0, 2);
        encoder.endStored(1);
        encoder.removed(new long[]{ BIG }, 0, 1);
        encoder.cleared();
        encoder.finish(2.0, 0);

        final WireBatch batch = decode(encoder);
        final WireBatch.Event stored = batch.events.get(0);
        assertFalse(stored.mapForm);
        assertEquals(8, stored.fields);
        assertEquals("BlockStored", stored.type);
        assertArrayEquals(new long[]{ BIG, SMALL }, stored.hashes);
        assertEquals(List.of(MessageFormat.INT64, MessageFormat.UINT64), stored.hashFormats);
        assertTrue(stored.hasParent);
        assertEquals(BIG, stored.parent);
        assertArrayEquals(new int[]{ 5, 6 }, stored.tokens);
        assertEquals(1, stored.blockSize);
        assertEquals("GPU", stored.medium);
        assertTrue(stored.loraIdNil && stored.loraNameNil);
        assertEquals(3, batch.events.get(1).fields);
        assertEquals(List.of(MessageFormat.INT64), batch.events.get(1).hashFormats);
        assertEquals(1, batch.events.get(2).fields);
        assertEquals("AllBlocksCleared", batch.events.get(2).type);
        assertEquals(0, batch.dpRank);
    }

    @Test
    void shouldFrameAnyNumberOfEventsAndStartAfreshAfterReset()
    {
        final EventBatchEncoder encoder = new EventBatchEncoder(EventFormat.MAP, HashFormat.UINT64);
        for (final int count : new int[]{ 1, 15, 16, 300, 70_000 })
        {
            for (int i = 0; i < count; i++)
            {
                encoder.removed(new long[]{ i }, 0, 1);
            }
            encoder.finish(1.0, 1);
            final WireBatch batch = decode(encoder);
            assertEquals(count, batch.events.size());
            assertEquals(count - 1, batch.events.get(count - 1).hashes[0]);
            encoder.reset();
            assertEquals(0, encoder.eventCount());
        }
    }

    private static void encodeSample(final EventBatchEncoder encoder)
    {
        encoder.beginStored(false, 0, new long[]{ BIG, SMALL }, 0, 2, 4);
        encoder.writer().tokens(new int[]{ 1, 200, 70_000, 3 }, 0, 4);
        encoder.endStored(2);
        encoder.removed(new long[]{ BIG, SMALL }, 1, 1);
        encoder.cleared();
        assertEquals(3, encoder.eventCount());
    }

    private static WireBatch decode(final EventBatchEncoder encoder)
    {
        final byte[] payload = Arrays.copyOfRange(encoder.buffer(), encoder.payloadOffset(),
            encoder.payloadOffset() + encoder.payloadLength());
        return WireBatch.decode(payload);
    }
}
