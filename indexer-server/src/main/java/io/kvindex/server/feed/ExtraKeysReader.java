package io.kvindex.server.feed;

import io.kvindex.client.BlockHashing;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

import java.io.IOException;

/**
 * Reads a {@code BlockStored} event's {@code extra_keys}: per block nil or a list of entries, of which the
 * multimodal ones (64 hex digits, alone or first in a {@code [hex, offset]} pair) become multimodal hashes. Other
 * entries (cache salts, LoRA names, ...) are ignored.
 */
final class ExtraKeysReader
{
    private ExtraKeysReader()
    {
    }

    static void read(final KvEventBatchDecoder decoder, final int e) throws IOException
    {
        final DecodedBatch batch = decoder.batch();
        if (decoder.unpacker().tryUnpackNil())
        {
            batch.extraCount[e] = 0;
            return;
        }
        final int n = decoder.readListHeader(e, decoder.maxBlocks());
        if (n < 0)
        {
            return;
        }
        batch.ensureExtras(n);
        final int offset = batch.extrasUsed;
        batch.extrasUsed += n;
        batch.extraOffset[e] = offset;
        batch.extraCount[e] = n;
        for (int i = 0; i < n; i++)
        {
            readBlock(decoder, e, offset + i);
        }
    }

    private static void readBlock(final KvEventBatchDecoder decoder, final int e, final int slot) throws IOException
    {
        final DecodedBatch batch = decoder.batch();
        batch.extraStart[slot] = batch.mmHashesUsed;
        batch.extraLength[slot] = 0;
        if (decoder.unpacker().tryUnpackNil())
        {
            return;
        }
        final int n = decoder.readListHeader(e, Integer.MAX_VALUE);
        for (int i = 0; i < n; i++)
        {
            readEntry(decoder, e, slot);
        }
    }

    private static void readEntry(final KvEventBatchDecoder decoder, final int e, final int slot) throws IOException
    {
        final MessageUnpacker unpacker = decoder.unpacker();
        final ValueType type = unpacker.getNextFormat().getValueType();
        if (ValueType.STRING == type)
        {
            addIfMultimodal(decoder, e, slot, decoder.readString());
        }
        else if (ValueType.ARRAY == type)
        {
            final int n = decoder.readArrayHeader();
            if (n > 0 && ValueType.STRING == unpacker.getNextFormat().getValueType())
            {
                addIfMultimodal(decoder, e, slot, decoder.readString());
                unpacker.skipValue(n - 1);
            }
            else
            {
                unpacker.skipValue(n);
            }
        }
        else
        {
            unpacker.skipValue();
        }
    }

    private static void addIfMultimodal(
        final KvEventBatchDecoder decoder, final int e, final int slot, final int length)
    {
        final byte[] scratch = decoder.scratch();
        if (length < 0 || !BlockHashing.isMultimodalExtraKey(scratch, 0, length))
        {
            return;
        }
        final DecodedBatch batch = decoder.batch();
        if (batch.extraLength[slot] >= decoder.maxMmHashes())
        {
            decoder.fail(e, DecodeStatus.TOO_LARGE);
            return;
        }
        batch.ensureMmHashes(1);
        batch.mmHashes[batch.mmHashesUsed++] = BlockHashing.multimodalHashFromExtraKey(scratch, 0, length);
        batch.extraLength[slot]++;
    }
}
