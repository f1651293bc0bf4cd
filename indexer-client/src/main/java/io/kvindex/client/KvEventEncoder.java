package io.kvindex.client;

import io.kvindex.client.events.codecs.AllBlocksClearedEncoder;
import io.kvindex.client.events.codecs.BlocksRemovedEncoder;
import io.kvindex.client.events.codecs.BlocksStoredEncoder;
import io.kvindex.client.events.codecs.BooleanType;
import io.kvindex.client.events.codecs.MessageHeaderEncoder;
import io.kvindex.client.events.codecs.TokensStoredEncoder;
import io.kvindex.client.events.codecs.WorkerRemovedEncoder;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Encodes one KV event message of {@link KvEventPublisher}: a publish call first records its arguments
 * ({@link #stored}, {@link #removed}, ...), the publisher asks for the exact {@link #length()} to claim, then
 * {@link #encode} writes the message where the claim (or the fallback buffer) is. Holds references to the caller's
 * arrays only for the duration of one call.
 */
final class KvEventEncoder
{
    private static final int STORED = 1;
    private static final int STORED_TOKENS = 2;
    private static final int REMOVED = 3;
    private static final int CLEARED = 4;
    private static final int REMOVE_WORKER = 5;
    private static final int VAR_HEADER = Integer.BYTES;
    private static final int GROUP_HEADER = 4;
    private static final long U32_MASK = 0xFFFF_FFFFL;
    private static final long[] NO_HASHES = new long[0];
    private static final int[] NO_TOKENS = new int[0];
    private static final byte[] NO_BYTES = new byte[0];

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final BlocksStoredEncoder storedEncoder = new BlocksStoredEncoder();
    private final TokensStoredEncoder tokensEncoder = new TokensStoredEncoder();
    private final BlocksRemovedEncoder removedEncoder = new BlocksRemovedEncoder();
    private final AllBlocksClearedEncoder clearedEncoder = new AllBlocksClearedEncoder();
    private final WorkerRemovedEncoder workerRemovedEncoder = new WorkerRemovedEncoder();
    private final byte[] model;
    private final byte[] tenant;
    private final int blockSize;
    private final int namesLength;

    private int kind;
    private long workerId;
    private long dpRank;
    private boolean hasParent;
    private long parentHash;
    private long[] engineHashes = NO_HASHES;
    private long[] localHashes = NO_HASHES;
    private int count;
    private int[] tokenIds = NO_TOKENS;
    private int tokenCount;
    private byte[] loraName = NO_BYTES;

    KvEventEncoder(final byte[] model, final byte[] tenant, final int blockSize)
    {
        this.model = model;
        this.tenant = tenant;
        this.blockSize = blockSize;
        this.namesLength = 2 * VAR_HEADER + model.length + tenant.length;
    }

    void stored(
        final long workerId,
        final int dpRank,
        final boolean hasParent,
        final long parentHash,
        final long[] engineHashes,
        final long[] localHashes,
        final int count)
    {
        owner(STORED, workerId, dpRank);
        this.hasParent = hasParent;
        this.parentHash = parentHash;
        this.engineHashes = engineHashes;
        this.localHashes = localHashes;
        this.count = count;
    }

    void storedTokens(
        final long workerId,
        final int dpRank,
        final boolean hasParent,
        final long parentHash,
        final long[] engineHashes,
        final int count,
        final int[] tokenIds,
        final int tokenCount,
        final byte[] loraName)
    {
        owner(STORED_TOKENS, workerId, dpRank);
        this.hasParent = hasParent;
        this.parentHash = parentHash;
        this.engineHashes = engineHashes;
        this.count = count;
        this.tokenIds = tokenIds;
        this.tokenCount = tokenCount;
        this.loraName = loraName;
    }

    void removed(final long workerId, final int dpRank, final long[] engineHashes, final int count)
    {
        owner(REMOVED, workerId, dpRank);
        this.engineHashes = engineHashes;
        this.count = count;
    }

    void cleared(final long workerId, final int dpRank)
    {
        owner(CLEARED, workerId, dpRank);
    }

    void removeWorker(final long workerId, final int dpRank)
    {
        owner(REMOVE_WORKER, workerId, dpRank);
    }

    /**
     * Exact length of the recorded event's message, header included.
     */
    int length()
    {
        final int header = MessageHeaderEncoder.ENCODED_LENGTH;
        switch (kind)
        {
            case STORED:
                return header + BlocksStoredEncoder.BLOCK_LENGTH + GROUP_HEADER +
                    count * KvEventProtocol.STORED_BLOCK_BYTES + namesLength;

            case STORED_TOKENS:
                return header + TokensStoredEncoder.BLOCK_LENGTH + GROUP_HEADER +
                    count * KvEventProtocol.ENGINE_HASH_BYTES + namesLength + VAR_HEADER + loraName.length +
                    VAR_HEADER + tokenCount * KvEventProtocol.TOKEN_ID_BYTES;

            case REMOVED:
                return header + BlocksRemovedEncoder.BLOCK_LENGTH + GROUP_HEADER +
                    count * KvEventProtocol.ENGINE_HASH_BYTES + namesLength;

            case CLEARED:
                return header + AllBlocksClearedEncoder.BLOCK_LENGTH + namesLength;

            case REMOVE_WORKER:
                return header + WorkerRemovedEncoder.BLOCK_LENGTH + namesLength;

            default:
                throw new IllegalStateException("no event recorded");
        }
    }

    /**
     * Write the recorded event's message, {@link #length()} bytes, at an offset.
     */
    void encode(final MutableDirectBuffer buffer, final int offset, final long eventId)
    {
        switch (kind)
        {
            case STORED:
                encodeStored(buffer, offset, eventId);
                break;

            case STORED_TOKENS:
                encodeStoredTokens(buffer, offset, eventId);
                break;

            case REMOVED:
                encodeRemoved(buffer, offset, eventId);
                break;

            case CLEARED:
                clearedEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                    .workerId(workerId).eventId(eventId).dpRank(dpRank)
                    .putModel(model, 0, model.length).putTenant(tenant, 0, tenant.length);
                break;

            case REMOVE_WORKER:
                workerRemovedEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                    .workerId(workerId).eventId(eventId).dpRank(dpRank)
                    .putModel(model, 0, model.length).putTenant(tenant, 0, tenant.length);
                break;

            default:
                throw new IllegalStateException("no event recorded");
        }
        engineHashes = NO_HASHES;
        localHashes = NO_HASHES;
        tokenIds = NO_TOKENS;
    }

    private void owner(final int kind, final long workerId, final int dpRank)
    {
        this.kind = kind;
        this.workerId = workerId;
        this.dpRank = dpRank & U32_MASK;
    }

    private void encodeStored(final MutableDirectBuffer buffer, final int offset, final long eventId)
    {
        storedEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .workerId(workerId)
            .eventId(eventId)
            .parentHash(hasParent ? parentHash : 0)
            .dpRank(dpRank)
            .blockSize(blockSize)
            .hasParent(hasParent ? BooleanType.TRUE : BooleanType.FALSE);
        final BlocksStoredEncoder.BlocksEncoder blocks = storedEncoder.blocksCount(count);
        final long[] engineHashes = this.engineHashes;
        final long[] localHashes = this.localHashes;
        for (int i = 0; i < count; i++)
        {
            blocks.next().engineHash(engineHashes[i]).localHash(localHashes[i]);
        }
        storedEncoder.putModel(model, 0, model.length).putTenant(tenant, 0, tenant.length);
    }

    private void encodeStoredTokens(final MutableDirectBuffer buffer, final int offset, final long eventId)
    {
        tokensEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .workerId(workerId)
            .eventId(eventId)
            .parentHash(hasParent ? parentHash : 0)
            .dpRank(dpRank)
            .blockSize(blockSize)
            .hasParent(hasParent ? BooleanType.TRUE : BooleanType.FALSE);
        final TokensStoredEncoder.BlocksEncoder blocks = tokensEncoder.blocksCount(count);
        final long[] engineHashes = this.engineHashes;
        for (int i = 0; i < count; i++)
        {
            blocks.next().engineHash(engineHashes[i]);
        }
        tokensEncoder.putModel(model, 0, model.length).putTenant(tenant, 0, tenant.length)
            .putLoraName(loraName, 0, loraName.length);
        final int limit = tokensEncoder.limit();
        final int byteLength = tokenCount * KvEventProtocol.TOKEN_ID_BYTES;
        buffer.putInt(limit, byteLength, ByteOrder.LITTLE_ENDIAN);
        final int start = limit + VAR_HEADER;
        final int[] tokenIds = this.tokenIds;
        for (int i = 0; i < tokenCount; i++)
        {
            buffer.putInt(start + i * KvEventProtocol.TOKEN_ID_BYTES, tokenIds[i], ByteOrder.LITTLE_ENDIAN);
        }
        tokensEncoder.limit(start + byteLength);
    }

    private void encodeRemoved(final MutableDirectBuffer buffer, final int offset, final long eventId)
    {
        removedEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .workerId(workerId)
            .eventId(eventId)
            .dpRank(dpRank);
        final BlocksRemovedEncoder.BlocksEncoder blocks = removedEncoder.blocksCount(count);
        final long[] engineHashes = this.engineHashes;
        for (int i = 0; i < count; i++)
        {
            blocks.next().engineHash(engineHashes[i]);
        }
        removedEncoder.putModel(model, 0, model.length).putTenant(tenant, 0, tenant.length);
    }
}
