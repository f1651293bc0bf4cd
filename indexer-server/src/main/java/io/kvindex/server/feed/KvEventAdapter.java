package io.kvindex.server.feed;

import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.kvindex.client.BlockHashing;
import io.kvindex.client.KvEventProtocol;
import io.kvindex.client.events.codecs.AllBlocksClearedDecoder;
import io.kvindex.client.events.codecs.BlocksRemovedDecoder;
import io.kvindex.client.events.codecs.BlocksStoredDecoder;
import io.kvindex.client.events.codecs.MessageHeaderDecoder;
import io.kvindex.client.events.codecs.TokensStoredDecoder;
import io.kvindex.client.events.codecs.WorkerRemovedDecoder;
import io.kvindex.index.EventType;
import io.kvindex.server.pipeline.IngestPipeline;
import io.kvindex.server.pipeline.IngestSlot;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Decodes each KV event message of the event protocol ({@code docs/event-protocol.md}) straight into a claimed slot
 * of the {@link IngestPipeline}: a {@link IngestSlot#HASHED_EVENT} when the sender computed the local hashes (and for
 * removals and clears), a one-event {@link DecodedBatch} for token ids the writer hashes, or a remove-worker
 * command. Every length and count is checked against the message end before it is read, as bounds
 * checks are off in production; a message that fails is counted and skipped before any slot is claimed. A full ring
 * returns {@link Action#ABORT}: the message stays in the log and the poll stops, so nothing is dropped.
 * Allocates nothing per message once the slots' batches have grown to the largest event.
 */
final class KvEventAdapter implements ControlledFragmentHandler
{
    private static final int GROUP_HEADER = 4;
    private static final int VAR_HEADER = Integer.BYTES;
    private static final long ALL_RANKS_ON_WIRE = 0xFFFF_FFFFL;
    private static final int NONE = -1;

    private final IngestPipeline pipeline;
    private final IndexRoutes routes;
    private final AeronFeedCounters counters;
    private final RateLimitedLog log;
    private final int maxBlocks;
    private final int maxTokens;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final BlocksStoredDecoder storedDecoder = new BlocksStoredDecoder();
    private final TokensStoredDecoder tokensDecoder = new TokensStoredDecoder();
    private final BlocksRemovedDecoder removedDecoder = new BlocksRemovedDecoder();
    private final AllBlocksClearedDecoder clearedDecoder = new AllBlocksClearedDecoder();
    private final WorkerRemovedDecoder workerRemovedDecoder = new WorkerRemovedDecoder();
    private final byte[] loraBytes = new byte[KvEventBatchDecoder.MAX_STRING_BYTES];
    private int lastLoraLength;
    private long lastLoraSeed = BlockHashing.SEED;
    private int groupOffset;
    private int groupCount;
    private int groupEntryLength;
    private int position;
    private int varOffset;
    private int varLength;
    private int loraOffset;
    private int loraLength;
    private int tokensOffset;
    private int tokenCount;
    private int route;

    KvEventAdapter(
        final IngestPipeline pipeline,
        final IndexRoutes routes,
        final AeronFeedCounters counters,
        final RateLimitedLog log,
        final int maxBlocks,
        final int maxTokens)
    {
        this.pipeline = pipeline;
        this.routes = routes;
        this.counters = counters;
        this.log = log;
        this.maxBlocks = maxBlocks;
        this.maxTokens = maxTokens;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return skip(AeronFeedCounters.MALFORMED);
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return skip(AeronFeedCounters.UNKNOWN_MESSAGE);
        }
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int end = offset + length;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
        {
            case BlocksStoredDecoder.TEMPLATE_ID:
                if (blockLength < BlocksStoredDecoder.BLOCK_LENGTH || body + blockLength > end)
                {
                    return skip(AeronFeedCounters.MALFORMED);
                }
                return onBlocksStored(storedDecoder.wrap(buffer, body, blockLength, version), end);

            case TokensStoredDecoder.TEMPLATE_ID:
                if (blockLength < TokensStoredDecoder.BLOCK_LENGTH || body + blockLength > end)
                {
                    return skip(AeronFeedCounters.MALFORMED);
                }
                return onTokensStored(tokensDecoder.wrap(buffer, body, blockLength, version), end);

            case BlocksRemovedDecoder.TEMPLATE_ID:
                if (blockLength < BlocksRemovedDecoder.BLOCK_LENGTH || body + blockLength > end)
                {
                    return skip(AeronFeedCounters.MALFORMED);
                }
                return onBlocksRemoved(removedDecoder.wrap(buffer, body, blockLength, version), end);

            case AllBlocksClearedDecoder.TEMPLATE_ID:
                if (blockLength < AllBlocksClearedDecoder.BLOCK_LENGTH || body + blockLength > end)
                {
                    return skip(AeronFeedCounters.MALFORMED);
                }
                return onCleared(clearedDecoder.wrap(buffer, body, blockLength, version), end);

            case WorkerRemovedDecoder.TEMPLATE_ID:
                if (blockLength < WorkerRemovedDecoder.BLOCK_LENGTH || body + blockLength > end)
                {
                    return skip(AeronFeedCounters.MALFORMED);
                }
                return onWorkerRemoved(workerRemovedDecoder.wrap(buffer, body, blockLength, version), end);

            default:
                return skip(AeronFeedCounters.UNKNOWN_MESSAGE);
        }
    }

    private Action onBlocksStored(final BlocksStoredDecoder decoder, final int end)
    {
        final DirectBuffer buffer = decoder.buffer();
        final short hasParent = decoder.hasParentRaw();
        int status = (hasParent & ~1) != 0 || decoder.dpRank() > Integer.MAX_VALUE ?
            AeronFeedCounters.MALFORMED : group(buffer, decoder.limit(), end, KvEventProtocol.STORED_BLOCK_BYTES);
        status = NONE == status ? names(buffer, end, decoder.blockSize()) : status;
        if (NONE != status)
        {
            return skip(status);
        }
        final long sequence = claim();
        if (sequence < 0)
        {
            return Action.ABORT;
        }
        final IngestSlot slot = pipeline.slot(sequence).skip();
        try
        {
            copyHashes(buffer, slot.engineHashes(groupCount), slot.localHashes(groupCount));
            slot.hashedEvent(routes.indexKey(route), decoder.workerId(), (int)decoder.dpRank(), EventType.STORED,
                1 == hasParent, decoder.parentHash(), groupCount);
        }
        finally
        {
            pipeline.publish(sequence);
        }
        return done(AeronFeedCounters.STORED);
    }

    private Action onTokensStored(final TokensStoredDecoder decoder, final int end)
    {
        final DirectBuffer buffer = decoder.buffer();
        final short hasParent = decoder.hasParentRaw();
        int status = (hasParent & ~1) != 0 || decoder.dpRank() > Integer.MAX_VALUE ?
            AeronFeedCounters.MALFORMED : group(buffer, decoder.limit(), end, KvEventProtocol.ENGINE_HASH_BYTES);
        status = NONE == status ? names(buffer, end, decoder.blockSize()) : status;
        status = NONE == status ? loraAndTokens(buffer, end) : status;
        if (NONE != status)
        {
            return skip(status);
        }
        final long sequence = claim();
        if (sequence < 0)
        {
            return Action.ABORT;
        }
        final IngestSlot slot = pipeline.slot(sequence).skip();
        try
        {
            final DecodedBatch batch = storedBatch(slot.batch(), buffer);
            batch.hasParent[0] = 1 == hasParent;
            batch.parentHash[0] = decoder.parentHash();
            batch.blockSize[0] = decoder.blockSize();
            batch.loraSeed[0] = loraSeed(buffer);
            copyTokens(batch, buffer);
            forOwner(slot, decoder.workerId(), decoder.dpRank());
        }
        finally
        {
            pipeline.publish(sequence);
        }
        return done(AeronFeedCounters.STORED);
    }

    private Action onBlocksRemoved(final BlocksRemovedDecoder decoder, final int end)
    {
        final DirectBuffer buffer = decoder.buffer();
        int status = decoder.dpRank() > Integer.MAX_VALUE ?
            AeronFeedCounters.MALFORMED : group(buffer, decoder.limit(), end, KvEventProtocol.ENGINE_HASH_BYTES);
        status = NONE == status ? names(buffer, end, 0) : status;
        if (NONE != status)
        {
            return skip(status);
        }
        final long sequence = claim();
        if (sequence < 0)
        {
            return Action.ABORT;
        }
        final IngestSlot slot = pipeline.slot(sequence).skip();
        try
        {
            copyHashes(buffer, slot.engineHashes(groupCount), null);
            slot.hashedEvent(routes.indexKey(route), decoder.workerId(), (int)decoder.dpRank(), EventType.REMOVED,
                false, 0, groupCount);
        }
        finally
        {
            pipeline.publish(sequence);
        }
        return done(AeronFeedCounters.REMOVED);
    }

    private Action onCleared(final AllBlocksClearedDecoder decoder, final int end)
    {
        noGroup(decoder.limit());
        final int status = decoder.dpRank() > Integer.MAX_VALUE ?
            AeronFeedCounters.MALFORMED : names(decoder.buffer(), end, 0);
        if (NONE != status)
        {
            return skip(status);
        }
        final long sequence = claim();
        if (sequence < 0)
        {
            return Action.ABORT;
        }
        pipeline.slot(sequence).hashedEvent(
            routes.indexKey(route), decoder.workerId(), (int)decoder.dpRank(), EventType.CLEARED, false, 0, 0);
        pipeline.publish(sequence);
        return done(AeronFeedCounters.CLEARED);
    }

    private Action onWorkerRemoved(final WorkerRemovedDecoder decoder, final int end)
    {
        noGroup(decoder.limit());
        final long rank = decoder.dpRank();
        final int status = rank > Integer.MAX_VALUE && ALL_RANKS_ON_WIRE != rank ?
            AeronFeedCounters.MALFORMED : names(decoder.buffer(), end, 0);
        if (NONE != status)
        {
            return skip(status);
        }
        final long sequence = claim();
        if (sequence < 0)
        {
            return Action.ABORT;
        }
        final int dpRank = ALL_RANKS_ON_WIRE == rank ? IngestSlot.ALL_RANKS : (int)rank;
        pipeline.slot(sequence).command(IngestSlot.REMOVE_WORKER, routes.indexKey(route), decoder.workerId(), dpRank);
        pipeline.publish(sequence);
        return done(AeronFeedCounters.WORKERS_REMOVED);
    }

    private void forOwner(final IngestSlot slot, final long workerId, final long dpRank)
    {
        slot.engineBatch(routes.indexKey(route), workerId, (int)dpRank, routes.blockSize(route));
    }

    private long claim()
    {
        final long sequence = pipeline.tryClaimOrBackPressure();
        if (sequence < 0)
        {
            counters.increment(AeronFeedCounters.BACK_PRESSURED);
        }
        return sequence;
    }

    private Action skip(final int counter)
    {
        counters.increment(AeronFeedCounters.MESSAGES);
        counters.increment(counter);
        log.onError(counter, AeronFeedCounters.name(counter));
        return Action.CONTINUE;
    }

    private Action done(final int counter)
    {
        counters.increment(AeronFeedCounters.MESSAGES);
        counters.increment(counter);
        return Action.CONTINUE;
    }

    /**
     * Read a group header at a position: the entries must be at least {@code minEntryLength} long and end within
     * the message. Leaves the cursor after the group.
     */
    private int group(final DirectBuffer buffer, final int at, final int end, final int minEntryLength)
    {
        if (at + GROUP_HEADER > end)
        {
            return AeronFeedCounters.MALFORMED;
        }
        final int entryLength = buffer.getShort(at, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int count = buffer.getShort(at + Short.BYTES, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final long next = at + GROUP_HEADER + (long)count * entryLength;
        if (entryLength < minEntryLength || next > end)
        {
            return AeronFeedCounters.MALFORMED;
        }
        groupOffset = at + GROUP_HEADER;
        groupCount = count;
        groupEntryLength = entryLength;
        position = (int)next;
        return NONE;
    }

    private void noGroup(final int at)
    {
        groupCount = 0;
        position = at;
    }

    /**
     * Read model and tenant at the cursor and find their route; a stated block size (above 0) must be the index's.
     */
    private int names(final DirectBuffer buffer, final int end, final int blockSize)
    {
        if (!var(buffer, end))
        {
            return AeronFeedCounters.MALFORMED;
        }
        final int modelOffset = varOffset;
        final int modelLength = varLength;
        if (!var(buffer, end))
        {
            return AeronFeedCounters.MALFORMED;
        }
        route = routes.find(buffer, modelOffset, modelLength, varOffset, varLength);
        if (route < 0)
        {
            return AeronFeedCounters.UNKNOWN_INDEX;
        }
        if (blockSize < 0 || (blockSize > 0 && blockSize != routes.blockSize(route)))
        {
            return AeronFeedCounters.WRONG_BLOCK_SIZE;
        }
        return groupCount > maxBlocks ? AeronFeedCounters.TOO_LARGE : NONE;
    }

    private int loraAndTokens(final DirectBuffer buffer, final int end)
    {
        if (!var(buffer, end))
        {
            return AeronFeedCounters.MALFORMED;
        }
        loraOffset = varOffset;
        loraLength = varLength;
        if (!var(buffer, end) || 0 != varLength % KvEventProtocol.TOKEN_ID_BYTES)
        {
            return AeronFeedCounters.MALFORMED;
        }
        tokensOffset = varOffset;
        tokenCount = varLength / KvEventProtocol.TOKEN_ID_BYTES;
        return loraLength > loraBytes.length || tokenCount > maxTokens ? AeronFeedCounters.TOO_LARGE : NONE;
    }

    /**
     * Read a var field (u32 length, then bytes) at the cursor; false when it runs past the message end.
     */
    private boolean var(final DirectBuffer buffer, final int end)
    {
        if (position + VAR_HEADER > end)
        {
            return false;
        }
        final long length = buffer.getInt(position, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        final long next = position + VAR_HEADER + length;
        if (next > end)
        {
            return false;
        }
        varOffset = position + VAR_HEADER;
        varLength = (int)length;
        position = (int)next;
        return true;
    }

    /**
     * Copy the group's engine hashes (and local hashes, when the entries hold them) into a slot's arrays.
     */
    private void copyHashes(final DirectBuffer buffer, final long[] engineHashes, final long[] localHashes)
    {
        final int count = groupCount;
        final int stride = groupEntryLength;
        int at = groupOffset;
        if (null != localHashes)
        {
            for (int i = 0; i < count; i++, at += stride)
            {
                engineHashes[i] = buffer.getLong(at, ByteOrder.LITTLE_ENDIAN);
                localHashes[i] = buffer.getLong(at + Long.BYTES, ByteOrder.LITTLE_ENDIAN);
            }
        }
        else
        {
            for (int i = 0; i < count; i++, at += stride)
            {
                engineHashes[i] = buffer.getLong(at, ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    /**
     * Start a slot's batch as one Stored event holding the group's engine hashes, for the indexer to hash its tokens.
     */
    private DecodedBatch storedBatch(final DecodedBatch batch, final DirectBuffer buffer)
    {
        batch.reset();
        batch.startEvent(0);
        batch.eventCount = 1;
        batch.kind[0] = EventType.STORED;
        final int count = groupCount;
        batch.ensureHashes(count);
        final long[] hashes = batch.hashes;
        int at = groupOffset;
        for (int i = 0; i < count; i++, at += groupEntryLength)
        {
            hashes[i] = buffer.getLong(at, ByteOrder.LITTLE_ENDIAN);
        }
        batch.hashesUsed = count;
        batch.hashCount[0] = count;
        return batch;
    }

    private void copyTokens(final DecodedBatch batch, final DirectBuffer buffer)
    {
        final int count = tokenCount;
        batch.ensureTokens(count);
        final int[] tokens = batch.tokens;
        for (int i = 0; i < count; i++)
        {
            tokens[i] = buffer.getInt(tokensOffset + i * KvEventProtocol.TOKEN_ID_BYTES, ByteOrder.LITTLE_ENDIAN);
        }
        batch.tokensUsed = count;
        batch.tokenCount[0] = count;
    }

    private long loraSeed(final DirectBuffer buffer)
    {
        final int length = loraLength;
        if (0 == length)
        {
            return BlockHashing.SEED;
        }
        boolean same = length == lastLoraLength;
        for (int i = 0; same && i < length; i++)
        {
            same = loraBytes[i] == buffer.getByte(loraOffset + i);
        }
        if (!same)
        {
            buffer.getBytes(loraOffset, loraBytes, 0, length);
            lastLoraLength = length;
            lastLoraSeed = BlockHashing.loraSeed(loraBytes, 0, length);
        }
        return lastLoraSeed;
    }
}
