package io.kvindex.mockengine;

import java.nio.charset.StandardCharsets;

/**
 * Encodes one batch of KV events as vLLM publishes it: a msgpack array {@code [ts, events, data_parallel_rank]} of
 * {@code BlockStored}, {@code BlockRemoved} and {@code AllBlocksCleared} events, as tagged maps or tagged arrays,
 * with the fields vLLM always sends ({@code lora_id}, {@code medium}, {@code lora_name}) and none of the ones it
 * leaves out when nil. Reused batch after batch; allocates only when its buffer grows.
 * <pre>
 *   buffer: | headroom (15 bytes)                       | events ... | dp rank |
 *                   | 0x93 | ts float64 | events header |
 *                   ^ payload offset, written by finish()
 * </pre>
 * Events are written as they happen; their count is known only at the end, so the batch prefix is written by
 * {@link #finish(double, int)} right before the first event, and the payload starts wherever the prefix starts.
 */
final class EventBatchEncoder
{
    private static final int HEADROOM = 1 + 9 + 5;
    private static final int BATCH_FIELDS = 3;
    private static final int STORED_FIELDS = 8;
    private static final int REMOVED_FIELDS = 3;
    private static final int CLEARED_FIELDS = 1;

    private static final byte[] TYPE = ascii("type");
    private static final byte[] BLOCK_STORED = ascii("BlockStored");
    private static final byte[] BLOCK_REMOVED = ascii("BlockRemoved");
    private static final byte[] ALL_BLOCKS_CLEARED = ascii("AllBlocksCleared");
    private static final byte[] BLOCK_HASHES = ascii("block_hashes");
    private static final byte[] PARENT_BLOCK_HASH = ascii("parent_block_hash");
    private static final byte[] TOKEN_IDS = ascii("token_ids");
    private static final byte[] BLOCK_SIZE = ascii("block_size");
    private static final byte[] LORA_ID = ascii("lora_id");
    private static final byte[] MEDIUM = ascii("medium");
    private static final byte[] LORA_NAME = ascii("lora_name");
    private static final byte[] GPU = ascii("GPU");

    private final MsgPackWriter writer = new MsgPackWriter(64 * 1024);
    private final boolean mapEvents;
    private final boolean signedHashes;
    private int eventCount;
    private int payloadOffset;
    private int payloadLength;

    EventBatchEncoder(final EventFormat eventFormat, final HashFormat hashFormat)
    {
        this.mapEvents = EventFormat.MAP == eventFormat;
        this.signedHashes = HashFormat.INT64 == hashFormat;
        writer.position(HEADROOM);
    }

    /**
     * Events written since the last {@link #reset()}.
     */
    int eventCount()
    {
        return eventCount;
    }

    /**
     * Start the next batch, dropping whatever was written.
     */
    void reset()
    {
        eventCount = 0;
        writer.position(HEADROOM);
    }

    /**
     * Write the fields of a {@code BlockStored} event up to its {@code token_ids} header; the caller then writes
     * exactly {@code tokenCount} token ids to {@link #writer()} and calls {@link #endStored(int)}.
     */
    void beginStored(
        final boolean hasParent,
        final long parentHash,
        final long[] hashes,
        final int offset,
        final int count,
        final int tokenCount)
    {
        eventCount++;
        if (mapEvents)
        {
            writer.mapHeader(STORED_FIELDS);
            writer.string(TYPE);
        }
        else
        {
            writer.arrayHeader(STORED_FIELDS);
        }
        writer.string(BLOCK_STORED);
        key(BLOCK_HASHES);
        hashes(hashes, offset, count);
        key(PARENT_BLOCK_HASH);
        if (hasParent)
        {
            hash(parentHash);
        }
        else
        {
            writer.nil();
        }
        key(TOKEN_IDS);
        writer.arrayHeader(tokenCount);
    }

    /**
     * Write the fields of a {@code BlockStored} event after its token ids.
     */
    void endStored(final int blockSize)
    {
        key(BLOCK_SIZE);
        writer.int64(blockSize);
        key(LORA_ID);
        writer.nil();
        key(MEDIUM);
        writer.string(GPU);
        key(LORA_NAME);
        writer.nil();
    }

    /**
     * A {@code BlockRemoved} event of device memory.
     */
    void removed(final long[] hashes, final int offset, final int count)
    {
        eventCount++;
        if (mapEvents)
        {
            writer.mapHeader(REMOVED_FIELDS);
            writer.string(TYPE);
        }
        else
        {
            writer.arrayHeader(REMOVED_FIELDS);
        }
        writer.string(BLOCK_REMOVED);
        key(BLOCK_HASHES);
        hashes(hashes, offset, count);
        key(MEDIUM);
        writer.string(GPU);
    }

    /**
     * An {@code AllBlocksCleared} event.
     */
    void cleared()
    {
        eventCount++;
        if (mapEvents)
        {
            writer.mapHeader(CLEARED_FIELDS);
            writer.string(TYPE);
        }
        else
        {
            writer.arrayHeader(CLEARED_FIELDS);
        }
        writer.string(ALL_BLOCKS_CLEARED);
    }

    /**
     * Where token ids of a {@code BlockStored} event go.
     */
    MsgPackWriter writer()
    {
        return writer;
    }

    /**
     * Close the batch: write its rank after the events and its prefix before them.
     *
     * @param timestampSeconds the batch's {@code ts}, seconds since the epoch.
     * @param dpRank           the batch's {@code data_parallel_rank}.
     */
    void finish(final double timestampSeconds, final int dpRank)
    {
        writer.int64(dpRank);
        final int end = writer.position();
        final int start = HEADROOM - (1 + 9 + MsgPackWriter.arrayHeaderLength(eventCount));
        writer.position(start);
        writer.arrayHeader(BATCH_FIELDS);
        writer.float64(timestampSeconds);
        writer.arrayHeader(eventCount);
        writer.position(end);
        payloadOffset = start;
        payloadLength = end - start;
    }

    /**
     * The buffer holding the finished payload.
     */
    byte[] buffer()
    {
        return writer.buffer();
    }

    /**
     * Offset of the finished payload in {@link #buffer()}.
     */
    int payloadOffset()
    {
        return payloadOffset;
    }

    /**
     * Length of the finished payload.
     */
    int payloadLength()
    {
        return payloadLength;
    }

    private void key(final byte[] name)
    {
        if (mapEvents)
        {
            writer.string(name);
        }
    }

    private void hashes(final long[] hashes, final int offset, final int count)
    {
        writer.arrayHeader(count);
        for (int i = offset, end = offset + count; i < end; i++)
        {
            hash(hashes[i]);
        }
    }

    private void hash(final long hash)
    {
        if (signedHashes)
        {
            writer.int64(hash);
        }
        else
        {
            writer.uint64(hash);
        }
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
