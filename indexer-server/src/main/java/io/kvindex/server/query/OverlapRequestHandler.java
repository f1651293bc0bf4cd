package io.kvindex.server.query;

import io.kvindex.client.BlockHasher;
import io.kvindex.client.BlockHashing;
import io.kvindex.client.QueryProtocol;
import io.kvindex.client.codecs.HashKind;
import io.kvindex.client.codecs.OverlapRequestDecoder;
import io.kvindex.client.codecs.QueryStatus;
import io.kvindex.index.OverlapScores;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import java.nio.ByteOrder;

/**
 * Validates a decoded OverlapRequest, finds its index and runs the query into caller-owned scores. Every length is
 * checked against the message end before it is used: bounds checks may be off in production, so a malformed length
 * must never reach a read. Token ids are hashed with the index's block size and the request's LoRA seed. Used by
 * the {@link QueryAgent}; public so that benchmarks can drive it without a transport. Allocates nothing per request
 * once each block size in use has been seen.
 */
public final class OverlapRequestHandler
{
    private static final int VAR_HEADER_LENGTH = OverlapRequestDecoder.modelHeaderLength();

    private final IndexRegistry registry;
    private final int maxQueryBlocks;
    private final int maxQueryTokens;
    private final long[] hashes;
    private final int[] tokens;
    private final byte[] loraBytes = new byte[QueryProtocol.MAX_CHANNEL_LENGTH];
    private final Int2ObjectHashMap<BlockHasher> hasherByBlockSize = new Int2ObjectHashMap<>();
    private int lastLoraLength;
    private long lastLoraSeed = BlockHashing.SEED;
    private int modelOffset;
    private int modelLength;
    private int tenantOffset;
    private int tenantLength;
    private int loraOffset;
    private int loraLength;
    private int hashesOffset;
    private int hashesLength;
    private int fieldLength;

    /**
     * A handler answering from the indexes of a registry.
     *
     * @param registry       the indexes by (model, tenant).
     * @param maxQueryBlocks most local hashes a request may carry.
     * @param maxQueryTokens most token ids a request may carry.
     */
    public OverlapRequestHandler(final IndexRegistry registry, final int maxQueryBlocks, final int maxQueryTokens)
    {
        this.registry = registry;
        this.maxQueryBlocks = maxQueryBlocks;
        this.maxQueryTokens = maxQueryTokens;
        this.hashes = new long[Math.max(maxQueryBlocks, 1)];
        this.tokens = new int[Math.max(maxQueryTokens, 1)];
    }

    /**
     * Run one request; the enum is read raw, as an unknown value must be a BAD_REQUEST, not an exception.
     *
     * @param decoder a decoder wrapped at the request's body, its var fields not read yet.
     * @param end     offset in the decoder's buffer just past the request.
     * @param scores  caller-owned scores, filled when the status is OK.
     * @return the outcome.
     */
    public QueryStatus handle(final OverlapRequestDecoder decoder, final int end, final OverlapScores scores)
    {
        final short kind = decoder.hashKindRaw();
        if ((HashKind.LOCAL_HASHES.value() != kind && HashKind.TOKEN_IDS.value() != kind) ||
            !readVarFields(decoder, end))
        {
            return QueryStatus.BAD_REQUEST;
        }
        final DirectBuffer buffer = decoder.buffer();
        final IndexRegistry.Entry entry = registry.find(buffer, modelOffset, modelLength, tenantOffset, tenantLength);
        if (null == entry)
        {
            return QueryStatus.UNKNOWN_INDEX;
        }
        final int count = HashKind.LOCAL_HASHES.value() == kind ? readLocalHashes(buffer) : hashTokens(buffer, entry);
        if (count < 0)
        {
            return QueryStatus.BAD_REQUEST;
        }
        try
        {
            entry.index().findMatches(hashes, count, scores);
        }
        catch (final RuntimeException ex)
        {
            return QueryStatus.SERVER_ERROR;
        }
        return QueryStatus.OK;
    }

    private boolean readVarFields(final OverlapRequestDecoder decoder, final int end)
    {
        final DirectBuffer buffer = decoder.buffer();
        int position = nextField(buffer, decoder.limit(), end);
        if (position < 0)
        {
            return false;
        }
        modelOffset = position - fieldLength;
        modelLength = fieldLength;
        if ((position = nextField(buffer, position, end)) < 0)
        {
            return false;
        }
        tenantOffset = position - fieldLength;
        tenantLength = fieldLength;
        if ((position = nextField(buffer, position, end)) < 0 || fieldLength > loraBytes.length)
        {
            return false;
        }
        loraOffset = position - fieldLength;
        loraLength = fieldLength;
        if ((position = nextField(buffer, position, end)) < 0)
        {
            return false;
        }
        hashesOffset = position - fieldLength;
        hashesLength = fieldLength;
        return true;
    }

    private int nextField(final DirectBuffer buffer, final int position, final int end)
    {
        if (position + VAR_HEADER_LENGTH > end)
        {
            return -1;
        }
        final long length = buffer.getInt(position, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        final long next = position + VAR_HEADER_LENGTH + length;
        if (next > end)
        {
            return -1;
        }
        fieldLength = (int)length;
        return (int)next;
    }

    private int readLocalHashes(final DirectBuffer buffer)
    {
        if (hashesLength % QueryProtocol.LOCAL_HASH_BYTES != 0)
        {
            return -1;
        }
        final int count = hashesLength / QueryProtocol.LOCAL_HASH_BYTES;
        if (count > maxQueryBlocks)
        {
            return -1;
        }
        for (int i = 0; i < count; i++)
        {
            hashes[i] = buffer.getLong(hashesOffset + i * QueryProtocol.LOCAL_HASH_BYTES, ByteOrder.LITTLE_ENDIAN);
        }
        return count;
    }

    private int hashTokens(final DirectBuffer buffer, final IndexRegistry.Entry entry)
    {
        if (hashesLength % QueryProtocol.TOKEN_ID_BYTES != 0)
        {
            return -1;
        }
        final int tokenCount = hashesLength / QueryProtocol.TOKEN_ID_BYTES;
        final int blockSize = entry.blockSize();
        if (tokenCount > maxQueryTokens || tokenCount / blockSize > maxQueryBlocks)
        {
            return -1;
        }
        for (int i = 0; i < tokenCount; i++)
        {
            tokens[i] = buffer.getInt(hashesOffset + i * QueryProtocol.TOKEN_ID_BYTES, ByteOrder.LITTLE_ENDIAN);
        }
        BlockHasher hasher = hasherByBlockSize.get(blockSize);
        if (null == hasher)
        {
            hasher = new BlockHasher(blockSize);
            hasherByBlockSize.put(blockSize, hasher);
        }
        return hasher.seed(loraSeed(buffer)).localHashes(tokens, tokenCount, hashes);
    }

    private long loraSeed(final DirectBuffer buffer)
    {
        if (loraLength == 0)
        {
            return BlockHashing.SEED;
        }
        boolean same = loraLength == lastLoraLength;
        for (int i = 0; same && i < loraLength; i++)
        {
            same = loraBytes[i] == buffer.getByte(loraOffset + i);
        }
        if (!same)
        {
            buffer.getBytes(loraOffset, loraBytes, 0, loraLength);
            lastLoraLength = loraLength;
            lastLoraSeed = BlockHashing.loraSeed(loraBytes, 0, loraLength);
        }
        return lastLoraSeed;
    }
}
