package io.kvindex.server.feed;

import io.kvindex.client.BlockHashing;
import io.kvindex.index.EventType;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.buffer.ArrayBufferInput;
import org.msgpack.value.ValueType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the msgpack payload of one engine KV-event batch ({@code spec/engine-events.md}) into a reused
 * {@link DecodedBatch}: batch as array or map, events as tagged arrays or tagged maps in any key order, hashes as
 * uint64, int64 or bin, EAGLE token pairs, multimodal {@code extra_keys}, {@code lora_name} as a seed.
 * <p>
 * Never throws for bad input: {@link #decode} returns a {@link DecodeStatus} and counts it. One reused unpacker and
 * scratch buffers; the only allocation per batch is msgpack-core's wrapper of the payload array. One instance per
 * feed thread.
 */
public final class KvEventBatchDecoder
{
    /** Default most events per batch. */
    public static final int DEFAULT_MAX_EVENTS = 16_384;

    /** Default most blocks per event. */
    public static final int DEFAULT_MAX_BLOCKS = 65_536;

    /** Default most token ids per event. */
    public static final int DEFAULT_MAX_TOKENS = 1 << 21;

    /** Default most multimodal hashes per block. */
    public static final int DEFAULT_MAX_MM_HASHES = 16;

    /** Longest string read (tags, keys, medium, LoRA names, spec kinds); longer ones are too large or unknown. */
    public static final int MAX_STRING_BYTES = 1024;

    private static final int F_SKIP = 0;
    private static final int F_TYPE = 1;
    private static final int F_BLOCK_HASHES = 2;
    private static final int F_PARENT = 3;
    private static final int F_TOKEN_IDS = 4;
    private static final int F_BLOCK_SIZE = 5;
    private static final int F_MEDIUM = 6;
    private static final int F_LORA_NAME = 7;
    private static final int F_EXTRA_KEYS = 8;
    private static final int F_GROUP_IDX = 9;
    private static final int F_SPEC_KIND = 10;

    private static final byte[][] FIELD_NAMES = ascii(
        "type", "block_hashes", "parent_block_hash", "token_ids", "block_size", "medium", "lora_name", "extra_keys",
        "group_idx", "kv_cache_spec_kind");
    private static final int[] FIELD_IDS =
    {
        F_TYPE, F_BLOCK_HASHES, F_PARENT, F_TOKEN_IDS, F_BLOCK_SIZE, F_MEDIUM, F_LORA_NAME, F_EXTRA_KEYS,
        F_GROUP_IDX, F_SPEC_KIND
    };
    private static final int[] STORED_POSITIONS =
    {
        F_TYPE, F_BLOCK_HASHES, F_PARENT, F_TOKEN_IDS, F_BLOCK_SIZE, F_SKIP, F_MEDIUM, F_LORA_NAME, F_EXTRA_KEYS,
        F_GROUP_IDX, F_SPEC_KIND
    };
    private static final int[] REMOVED_POSITIONS = { F_TYPE, F_BLOCK_HASHES, F_MEDIUM, F_GROUP_IDX };
    private static final int[] CLEARED_POSITIONS = { F_TYPE };

    private static final byte[][] TAGS = ascii("BlockStored", "BlockRemoved", "AllBlocksCleared");
    private static final int[] TAG_KINDS = { EventType.STORED, EventType.REMOVED, EventType.CLEARED };
    private static final byte[][] BATCH_KEYS = ascii("ts", "events", "data_parallel_rank", "attn_dp_rank");
    private static final byte[][] MAIN_SPEC_KINDS = ascii("full_attention", "mla_attention", "sink_full_attention");
    private static final byte[] GPU = "GPU".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY = new byte[0];

    private final int maxEvents;
    private final int maxBlocks;
    private final int maxTokens;
    private final int maxMmHashes;
    private final ArrayBufferInput input = new ArrayBufferInput(EMPTY);
    private final MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(input);
    private final byte[] scratch = new byte[MAX_STRING_BYTES];
    private final byte[] lastLoraName = new byte[MAX_STRING_BYTES];
    private final DecodeAbort abort = new DecodeAbort();
    private final long[] batchCounts = new long[DecodeStatus.COUNT];
    private final long[] eventCounts = new long[DecodeStatus.COUNT];
    private int lastLoraLength;
    private long lastLoraSeed = BlockHashing.SEED;
    private int payloadLength;
    private boolean sawHashes;
    private boolean sawEvents;
    private DecodedBatch batch;

    /**
     * A decoder with the default limits.
     */
    public KvEventBatchDecoder()
    {
        this(DEFAULT_MAX_EVENTS, DEFAULT_MAX_BLOCKS, DEFAULT_MAX_TOKENS, DEFAULT_MAX_MM_HASHES);
    }

    /**
     * A decoder with limits; anything over them is {@link DecodeStatus#TOO_LARGE}.
     *
     * @param maxEvents   most events per batch.
     * @param maxBlocks   most block hashes (and {@code extra_keys} entries) per event.
     * @param maxTokens   most token ids per event.
     * @param maxMmHashes most multimodal hashes per block.
     */
    public KvEventBatchDecoder(final int maxEvents, final int maxBlocks, final int maxTokens, final int maxMmHashes)
    {
        this.maxEvents = maxEvents;
        this.maxBlocks = maxBlocks;
        this.maxTokens = maxTokens;
        this.maxMmHashes = maxMmHashes;
    }

    /**
     * Decode one payload. On a status other than OK the batch holds no events; on OK each event has its own status.
     *
     * @param payload buffer holding the msgpack payload.
     * @param offset  index of its first byte.
     * @param length  its length in bytes.
     * @param out     receives the batch; reset first.
     * @return a {@link DecodeStatus} for the whole batch.
     */
    public int decode(final byte[] payload, final int offset, final int length, final DecodedBatch out)
    {
        out.reset();
        batch = out;
        payloadLength = length;
        sawEvents = false;
        int status;
        try
        {
            input.reset(payload, offset, length);
            unpacker.reset(input);
            status = readBatch();
            if (DecodeStatus.OK == status && remaining() > 0)
            {
                status = DecodeStatus.MALFORMED;
            }
        }
        catch (final IOException | MessagePackException ex)
        {
            status = DecodeStatus.MALFORMED;
        }
        catch (final DecodeAbort ex)
        {
            status = ex.status;
        }
        batch = null;
        return count(out, status);
    }

    /**
     * Batches decoded with a status.
     *
     * @param status a {@link DecodeStatus}.
     * @return the count.
     */
    public long batchCount(final int status)
    {
        return batchCounts[status];
    }

    /**
     * Events of OK batches decoded with a status.
     *
     * @param status a {@link DecodeStatus}.
     * @return the count.
     */
    public long eventCount(final int status)
    {
        return eventCounts[status];
    }

    private int count(final DecodedBatch out, final int status)
    {
        batchCounts[status]++;
        if (DecodeStatus.OK != status)
        {
            out.reset();
        }
        for (int e = 0; e < out.eventCount; e++)
        {
            eventCounts[out.status[e]]++;
        }
        return status;
    }

    private int readBatch() throws IOException
    {
        final ValueType type = unpacker.getNextFormat().getValueType();
        if (ValueType.ARRAY == type)
        {
            return readArrayBatch();
        }
        if (ValueType.MAP == type)
        {
            return readMapBatch();
        }
        unpacker.skipValue();
        return DecodeStatus.WRONG_TYPE;
    }

    private int readArrayBatch() throws IOException
    {
        final int n = readArrayHeader();
        if (n < 2)
        {
            unpacker.skipValue(n);
            return DecodeStatus.MISSING_FIELD;
        }
        readTimestamp();
        int status = readEvents();
        if (n > 2)
        {
            status = firstNotOk(status, readDpRank());
            unpacker.skipValue(n - 3);
        }
        return status;
    }

    private int readMapBatch() throws IOException
    {
        final int n = readMapHeader();
        int status = DecodeStatus.OK;
        for (int i = 0; i < n; i++)
        {
            final int key = readKey(BATCH_KEYS);
            if (0 == key)
            {
                readTimestamp();
            }
            else if (1 == key)
            {
                status = firstNotOk(status, readEvents());
            }
            else if (2 == key || 3 == key)
            {
                status = firstNotOk(status, readDpRank());
            }
            else
            {
                unpacker.skipValue();
            }
        }
        return sawEvents ? status : firstNotOk(status, DecodeStatus.MISSING_FIELD);
    }

    private void readTimestamp() throws IOException
    {
        final MessageFormat format = unpacker.getNextFormat();
        if (ValueType.FLOAT == format.getValueType())
        {
            batch.timestamp = unpacker.unpackDouble();
        }
        else if (ValueType.INTEGER == format.getValueType() && MessageFormat.UINT64 != format)
        {
            batch.timestamp = unpacker.unpackLong();
        }
        else
        {
            unpacker.skipValue();
        }
    }

    private int readDpRank() throws IOException
    {
        if (unpacker.tryUnpackNil())
        {
            batch.hasDpRank = false;
            return DecodeStatus.OK;
        }
        final MessageFormat format = unpacker.getNextFormat();
        if (ValueType.INTEGER != format.getValueType() || MessageFormat.UINT64 == format)
        {
            unpacker.skipValue();
            return DecodeStatus.WRONG_TYPE;
        }
        final long rank = unpacker.unpackLong();
        if (rank < 0 || rank > Integer.MAX_VALUE)
        {
            return DecodeStatus.WRONG_TYPE;
        }
        batch.hasDpRank = true;
        batch.dpRank = (int)rank;
        return DecodeStatus.OK;
    }

    private int readEvents() throws IOException
    {
        if (sawEvents)
        {
            throw abort.status(DecodeStatus.MALFORMED);
        }
        sawEvents = true;
        if (ValueType.ARRAY != unpacker.getNextFormat().getValueType())
        {
            unpacker.skipValue();
            return DecodeStatus.WRONG_TYPE;
        }
        final int n = readArrayHeader();
        if (n > maxEvents)
        {
            throw abort.status(DecodeStatus.TOO_LARGE);
        }
        for (int e = 0; e < n; e++)
        {
            batch.startEvent(e);
            batch.eventCount = e + 1;
            sawHashes = false;
            readEvent(e);
        }
        return DecodeStatus.OK;
    }

    private void readEvent(final int e) throws IOException
    {
        final ValueType type = unpacker.getNextFormat().getValueType();
        if (ValueType.ARRAY == type)
        {
            readArrayEvent(e);
        }
        else if (ValueType.MAP == type)
        {
            readMapEvent(e);
        }
        else
        {
            unpacker.skipValue();
            fail(e, DecodeStatus.WRONG_TYPE);
        }
    }

    private void readArrayEvent(final int e) throws IOException
    {
        final int n = readArrayHeader();
        if (0 == n)
        {
            fail(e, DecodeStatus.MISSING_FIELD);
            return;
        }
        final int kind = readTag(e);
        if (DecodedBatch.KIND_UNKNOWN == kind)
        {
            unpacker.skipValue(n - 1);
            return;
        }
        final int[] positions = EventType.STORED == kind ? STORED_POSITIONS :
            EventType.REMOVED == kind ? REMOVED_POSITIONS : CLEARED_POSITIONS;
        for (int p = 1; p < n; p++)
        {
            readField(e, p < positions.length ? positions[p] : F_SKIP);
        }
        finishEvent(e);
    }

    private void readMapEvent(final int e) throws IOException
    {
        final int n = readMapHeader();
        boolean tagged = false;
        for (int i = 0; i < n; i++)
        {
            final int key = readKey(FIELD_NAMES);
            final int field = key < 0 ? F_SKIP : FIELD_IDS[key];
            if (F_TYPE == field)
            {
                tagged = true;
                readTag(e);
            }
            else
            {
                readField(e, field);
            }
        }
        if (!tagged)
        {
            fail(e, DecodeStatus.MISSING_FIELD);
        }
        finishEvent(e);
    }

    private void finishEvent(final int e)
    {
        final int kind = batch.kind[e];
        if ((EventType.STORED == kind || EventType.REMOVED == kind) && !sawHashes)
        {
            fail(e, DecodeStatus.MISSING_FIELD);
        }
    }

    private int readTag(final int e) throws IOException
    {
        int kind = DecodedBatch.KIND_UNKNOWN;
        if (ValueType.STRING != unpacker.getNextFormat().getValueType())
        {
            unpacker.skipValue();
            fail(e, DecodeStatus.WRONG_TYPE);
        }
        else
        {
            final int tag = match(readString(), TAGS);
            kind = tag < 0 ? DecodedBatch.KIND_UNKNOWN : TAG_KINDS[tag];
            if (tag < 0)
            {
                fail(e, DecodeStatus.UNKNOWN_EVENT_KIND);
            }
        }
        batch.kind[e] = kind;
        return kind;
    }

    private void readField(final int e, final int field) throws IOException
    {
        switch (field)
        {
            case F_BLOCK_HASHES -> readHashes(e);
            case F_PARENT -> readParent(e);
            case F_TOKEN_IDS -> readTokens(e);
            case F_BLOCK_SIZE -> readBlockSize(e);
            case F_MEDIUM -> readMedium(e);
            case F_LORA_NAME -> readLoraName(e);
            case F_EXTRA_KEYS -> ExtraKeysReader.read(this, e);
            case F_GROUP_IDX -> readGroupIdx(e);
            case F_SPEC_KIND -> readSpecKind(e);
            default -> unpacker.skipValue();
        }
    }

    private void readHashes(final int e) throws IOException
    {
        sawHashes = true;
        final int n = readListHeader(e, maxBlocks);
        if (n < 0)
        {
            return;
        }
        batch.ensureHashes(n);
        final int offset = batch.hashesUsed;
        for (int i = 0; i < n; i++)
        {
            batch.hashes[offset + i] = readHash(e);
        }
        batch.hashesUsed += n;
        batch.hashOffset[e] = offset;
        batch.hashCount[e] = n;
    }

    private void readParent(final int e) throws IOException
    {
        if (unpacker.tryUnpackNil())
        {
            batch.hasParent[e] = false;
        }
        else
        {
            batch.parentHash[e] = readHash(e);
            batch.hasParent[e] = true;
        }
    }

    private void readTokens(final int e) throws IOException
    {
        if (unpacker.tryUnpackNil())
        {
            batch.tokenCount[e] = 0;
            return;
        }
        final int n = readListHeader(e, maxTokens);
        if (n < 0)
        {
            return;
        }
        batch.ensureTokens(n);
        final int offset = batch.tokensUsed;
        for (int i = 0; i < n; i++)
        {
            if (ValueType.ARRAY == unpacker.getNextFormat().getValueType())
            {
                final int m = readArrayHeader();
                if (0 == m)
                {
                    fail(e, DecodeStatus.WRONG_TYPE);
                    continue;
                }
                batch.tokens[offset + i] = (int)readInteger(e);
                unpacker.skipValue(m - 1);
            }
            else
            {
                batch.tokens[offset + i] = (int)readInteger(e);
            }
        }
        batch.tokensUsed += n;
        batch.tokenOffset[e] = offset;
        batch.tokenCount[e] = n;
    }

    private void readBlockSize(final int e) throws IOException
    {
        if (unpacker.tryUnpackNil())
        {
            batch.blockSize[e] = 0;
            return;
        }
        final long size = readInteger(e);
        batch.blockSize[e] = size >= 1 && size <= Integer.MAX_VALUE ? (int)size : -1;
    }

    private void readMedium(final int e) throws IOException
    {
        if (unpacker.tryUnpackNil())
        {
            batch.medium[e] = DecodedBatch.MEDIUM_DEVICE;
        }
        else if (ValueType.STRING == unpacker.getNextFormat().getValueType())
        {
            final int length = readString();
            batch.medium[e] = equalsIgnoreCase(scratch, length, GPU) ?
                DecodedBatch.MEDIUM_DEVICE : DecodedBatch.MEDIUM_OFFLOAD;
        }
        else
        {
            unpacker.skipValue();
            fail(e, DecodeStatus.WRONG_TYPE);
        }
    }

    private void readLoraName(final int e) throws IOException
    {
        if (unpacker.tryUnpackNil())
        {
            batch.loraSeed[e] = BlockHashing.SEED;
        }
        else if (ValueType.STRING == unpacker.getNextFormat().getValueType())
        {
            final int length = readString();
            if (length < 0)
            {
                fail(e, DecodeStatus.TOO_LARGE);
                return;
            }
            if (length != lastLoraLength || !regionEquals(scratch, lastLoraName, length))
            {
                System.arraycopy(scratch, 0, lastLoraName, 0, length);
                lastLoraLength = length;
                lastLoraSeed = BlockHashing.loraSeed(scratch, 0, length);
            }
            batch.loraSeed[e] = lastLoraSeed;
        }
        else
        {
            unpacker.skipValue();
            fail(e, DecodeStatus.WRONG_TYPE);
        }
    }

    private void readGroupIdx(final int e) throws IOException
    {
        batch.groupIdx[e] = unpacker.tryUnpackNil() ? 0 : readInteger(e);
    }

    private void readSpecKind(final int e) throws IOException
    {
        if (unpacker.tryUnpackNil())
        {
            batch.specKind[e] = DecodedBatch.SPEC_ABSENT;
        }
        else if (ValueType.STRING == unpacker.getNextFormat().getValueType())
        {
            batch.specKind[e] = match(readString(), MAIN_SPEC_KINDS) >= 0 ?
                DecodedBatch.SPEC_MAIN : DecodedBatch.SPEC_OTHER;
        }
        else
        {
            unpacker.skipValue();
            fail(e, DecodeStatus.WRONG_TYPE);
        }
    }

    long readHash(final int e) throws IOException
    {
        final MessageFormat format = unpacker.getNextFormat();
        if (ValueType.BINARY == format.getValueType())
        {
            final int length = unpacker.unpackBinaryHeader();
            checkRemaining(length);
            if (length < Long.BYTES || length > 32)
            {
                skipBytes(length);
                fail(e, DecodeStatus.WRONG_TYPE);
                return 0;
            }
            unpacker.readPayload(scratch, 0, length);
            return bigEndianLong(scratch, length - Long.BYTES);
        }
        return readInteger(e);
    }

    long readInteger(final int e) throws IOException
    {
        final MessageFormat format = unpacker.getNextFormat();
        if (MessageFormat.UINT64 == format)
        {
            unpacker.readPayload(scratch, 0, 1 + Long.BYTES);
            return bigEndianLong(scratch, 1);
        }
        if (ValueType.INTEGER == format.getValueType())
        {
            return unpacker.unpackLong();
        }
        unpacker.skipValue();
        fail(e, DecodeStatus.WRONG_TYPE);
        return 0;
    }

    /**
     * Read a list header where a list (of at most {@code max} entries) is due, or consume the value and fail the
     * event: returns -1 then.
     */
    int readListHeader(final int e, final int max) throws IOException
    {
        if (ValueType.ARRAY != unpacker.getNextFormat().getValueType())
        {
            unpacker.skipValue();
            fail(e, DecodeStatus.WRONG_TYPE);
            return -1;
        }
        final int n = readArrayHeader();
        if (n > max)
        {
            unpacker.skipValue(n);
            fail(e, DecodeStatus.TOO_LARGE);
            return -1;
        }
        return n;
    }

    int readArrayHeader() throws IOException
    {
        final int n = unpacker.unpackArrayHeader();
        checkRemaining(n);
        return n;
    }

    /**
     * Read a string into the scratch buffer: its length, or -1 when longer than the buffer (consumed all the same).
     */
    int readString() throws IOException
    {
        final int length = unpacker.unpackRawStringHeader();
        checkRemaining(length);
        if (length > scratch.length)
        {
            skipBytes(length);
            return -1;
        }
        unpacker.readPayload(scratch, 0, length);
        return length;
    }

    MessageUnpacker unpacker()
    {
        return unpacker;
    }

    DecodedBatch batch()
    {
        return batch;
    }

    byte[] scratch()
    {
        return scratch;
    }

    int maxBlocks()
    {
        return maxBlocks;
    }

    int maxMmHashes()
    {
        return maxMmHashes;
    }

    void fail(final int e, final int status)
    {
        if (DecodeStatus.OK == batch.status[e])
        {
            batch.status[e] = status;
        }
    }

    private int readMapHeader() throws IOException
    {
        final int n = unpacker.unpackMapHeader();
        checkRemaining(n);
        checkRemaining(2 * n);
        return n;
    }

    private int readKey(final byte[][] keys) throws IOException
    {
        if (ValueType.STRING != unpacker.getNextFormat().getValueType())
        {
            unpacker.skipValue();
            return -1;
        }
        return match(readString(), keys);
    }

    private void checkRemaining(final int count)
    {
        if (count < 0 || count > remaining())
        {
            throw abort.status(DecodeStatus.MALFORMED);
        }
    }

    private int remaining()
    {
        return payloadLength - (int)unpacker.getTotalReadBytes();
    }

    private void skipBytes(final int length) throws IOException
    {
        int left = length;
        while (left > 0)
        {
            final int chunk = Math.min(left, scratch.length);
            unpacker.readPayload(scratch, 0, chunk);
            left -= chunk;
        }
    }

    private int match(final int length, final byte[][] candidates)
    {
        for (int i = 0; i < candidates.length; i++)
        {
            final byte[] candidate = candidates[i];
            if (candidate.length == length && regionEquals(scratch, candidate, length))
            {
                return i;
            }
        }
        return -1;
    }

    private static boolean regionEquals(final byte[] a, final byte[] b, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }
        return true;
    }

    private static boolean equalsIgnoreCase(final byte[] bytes, final int length, final byte[] upper)
    {
        if (length != upper.length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final int b = bytes[i] >= 'a' && bytes[i] <= 'z' ? bytes[i] - ('a' - 'A') : bytes[i];
            if (b != upper[i])
            {
                return false;
            }
        }
        return true;
    }

    private static long bigEndianLong(final byte[] bytes, final int offset)
    {
        long value = 0;
        for (int i = 0; i < Long.BYTES; i++)
        {
            value = (value << 8) | (bytes[offset + i] & 0xFF);
        }
        return value;
    }

    private static int firstNotOk(final int status, final int next)
    {
        return DecodeStatus.OK != status ? status : next;
    }

    private static byte[][] ascii(final String... values)
    {
        final byte[][] bytes = new byte[values.length][];
        for (int i = 0; i < values.length; i++)
        {
            bytes[i] = values[i].getBytes(StandardCharsets.US_ASCII);
        }
        return bytes;
    }

    /**
     * Ends a decode early without a stack trace; one instance per decoder, so throwing it allocates nothing.
     */
    static final class DecodeAbort extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        private int status;

        DecodeAbort()
        {
            super(null, null, false, false);
        }

        DecodeAbort status(final int status)
        {
            this.status = status;
            return this;
        }
    }
}
