package io.kvindex.server.feed;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.kvindex.client.KvEventProtocol;
import io.kvindex.client.KvEventPublisher;
import io.kvindex.client.events.codecs.AllBlocksClearedEncoder;
import io.kvindex.client.events.codecs.BlocksRemovedEncoder;
import io.kvindex.client.events.codecs.BlocksStoredEncoder;
import io.kvindex.client.events.codecs.BooleanType;
import io.kvindex.client.events.codecs.MessageHeaderEncoder;
import io.kvindex.client.events.codecs.TokensStoredEncoder;
import io.kvindex.client.events.codecs.WorkerRemovedEncoder;
import io.kvindex.index.IndexEquivalence;
import io.kvindex.index.OffHeapBlockIndex;
import io.kvindex.index.ReferenceBlockIndex;
import io.kvindex.server.pipeline.IngestCounters;
import io.kvindex.server.pipeline.IngestPipeline;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.kvindex.server.feed.AeronEventFeedTest.BS;
import static io.kvindex.server.feed.AeronEventFeedTest.MODEL;
import static io.kvindex.server.feed.AeronEventFeedTest.feedContext;
import static io.kvindex.server.feed.AeronEventFeedTest.newIndex;
import static io.kvindex.server.feed.AeronEventFeedTest.publisherContext;
import static io.kvindex.server.feed.EventTestSupport.TIMEOUT_NS;
import static io.kvindex.server.feed.EventTestSupport.awaitTrue;
import static io.kvindex.server.feed.EventTestSupport.driverContext;
import static io.kvindex.server.feed.EventTestSupport.parkingIdle;
import static io.kvindex.server.feed.EventTestSupport.uniqueAeronDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Messages an {@link AeronEventFeed} must survive, sent through a real media driver next to valid events: events for
 * an unknown index, with the wrong block size or over the limits, crafted malformed messages, every truncation of a
 * valid message, and 20,000 randomly mutated ones. Each is counted by cause, the feed keeps running, and the index
 * the valid events go to ends equal to the reference fed only those.
 */
class AeronEventFeedBadInputTest
{
    private static final String FUZZ_MODEL = "fuzz";
    private static final int MAX_BLOCKS = 16;
    private static final int MUTATIONS = 20_000;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[4096]);

    @Test
    @Timeout(120)
    void shouldCountBadMessagesAndKeepIndexingValidOnes()
    {
        final String dir = uniqueAeronDir("feed-bad");
        try (MediaDriver driver = MediaDriver.launch(driverContext(dir));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            OffHeapBlockIndex index = newIndex();
            OffHeapBlockIndex fuzzIndex = new OffHeapBlockIndex(
                new OffHeapBlockIndex.Context().maxBlocks(1 << 16).maxOwners(1 << 14));
            ReferenceBlockIndex expected = new ReferenceBlockIndex();
            IngestPipeline pipeline = new IngestPipeline(new IngestPipeline.Context()
                .addIndex(index, BS).addIndex(fuzzIndex, BS).ringSize(256).idleStrategy(parkingIdle())).start();
            AeronEventFeed feed = AeronEventFeed.launch(
                feedContext(aeron, pipeline).addRoute(FUZZ_MODEL, "default", 1).maxBlocks(MAX_BLOCKS));
            KvEventPublisher valid = KvEventPublisher.connect(publisherContext(aeron, MODEL, BS));
            KvEventPublisher otherModel = KvEventPublisher.connect(publisherContext(aeron, "other", BS));
            KvEventPublisher otherBlockSize = KvEventPublisher.connect(publisherContext(aeron, MODEL, BS * 2));
            ExclusivePublication raw = aeron.addExclusivePublication(
                KvEventProtocol.DEFAULT_CHANNEL, KvEventProtocol.DEFAULT_STREAM_ID))
        {
            assertTrue(valid.awaitConnected(TIMEOUT_NS));
            final AeronFeedCounters counters = feed.counters();
            final RandomEventStream stream = new RandomEventStream(3, BS, expected, valid);
            stream.run(500);
            int sent = 500;

            final long[] hashes = new long[MAX_BLOCKS + 1];
            Arrays.fill(hashes, 5);
            final int[] tokens = new int[(MAX_BLOCKS + 1) * BS];
            for (int i = 0; i < 3; i++)
            {
                assertTrue(otherModel.publishStored(1, 0, false, 0, hashes, hashes, 2) >= 0);
                assertTrue(otherBlockSize.publishStored(1, 0, false, 0, hashes, hashes, 2) >= 0);
            }
            assertTrue(otherModel.publishRemoved(1, 0, hashes, 1) >= 0);
            assertTrue(otherBlockSize.publishStoredTokens(1, 0, false, 0, hashes, 1, tokens, BS * 2, null) >= 0);
            assertTrue(valid.publishStored(1, 0, false, 0, hashes, hashes, MAX_BLOCKS + 1) >= 0);
            assertTrue(valid.publishRemoved(1, 0, hashes, MAX_BLOCKS + 1) >= 0);
            sent += 10;

            final List<byte[]> malformed = malformedMessages();
            for (final byte[] message : malformed)
            {
                offer(raw, message);
            }
            sent += malformed.size();
            offer(raw, withHeader(701, 4));
            offer(raw, withHeader(702, 99));
            sent += 2;

            final int deterministic = sent;
            awaitTrue(() -> counters.get(AeronFeedCounters.MESSAGES) == deterministic, counters::toString);
            assertEquals(4, counters.get(AeronFeedCounters.UNKNOWN_INDEX));
            assertEquals(4, counters.get(AeronFeedCounters.WRONG_BLOCK_SIZE));
            assertEquals(2, counters.get(AeronFeedCounters.TOO_LARGE));
            assertEquals(malformed.size(), counters.get(AeronFeedCounters.MALFORMED));
            assertEquals(2, counters.get(AeronFeedCounters.UNKNOWN_MESSAGE));

            sent += fuzz(raw);
            stream.run(500);
            sent += 500;

            final int total = sent;
            awaitTrue(() -> counters.get(AeronFeedCounters.MESSAGES) == total, counters::toString);
            final long handed = counters.get(AeronFeedCounters.STORED) + counters.get(AeronFeedCounters.REMOVED) +
                counters.get(AeronFeedCounters.CLEARED) + counters.get(AeronFeedCounters.WORKERS_REMOVED);
            final IngestCounters ingest = pipeline.counters();
            awaitTrue(() -> ingest.applied() + ingest.rejected() + ingest.failed() == handed, ingest::toString);
            assertEquals(0, ingest.failed() + ingest.rejected() + ingest.overflowed());
            IndexEquivalence.assertEquivalent(expected, index);
        }
    }

    /**
     * Every truncation of a valid BlocksStored, then messages whose fields or lengths are wrong.
     */
    private List<byte[]> malformedMessages()
    {
        final List<byte[]> messages = new ArrayList<>();
        final byte[] stored = blocksStored(FUZZ_MODEL, 3);
        for (int length = 1; length < stored.length; length++)
        {
            messages.add(Arrays.copyOf(stored, length));
        }
        final int body = MessageHeaderEncoder.ENCODED_LENGTH;
        messages.add(patch(stored, body + BlocksStoredEncoder.hasParentEncodingOffset(), (byte)2));
        messages.add(patchInt(stored, body + BlocksStoredEncoder.dpRankEncodingOffset(), 0x8000_0000));
        messages.add(patchShort(stored, body + BlocksStoredEncoder.BLOCK_LENGTH + 2, (short)0xFFFF));
        messages.add(patchShort(stored, body + BlocksStoredEncoder.BLOCK_LENGTH, (short)8));
        messages.add(patchShort(stored, 0, (short)10));
        final int modelAt = body + BlocksStoredEncoder.BLOCK_LENGTH + 4 + 3 * KvEventProtocol.STORED_BLOCK_BYTES;
        messages.add(patchInt(stored, modelAt, -1));
        final byte[] tokens = tokensStored(FUZZ_MODEL);
        messages.add(patchInt(tokens, tokens.length - 4 * BS - 4, 4 * BS - 1));
        final byte[] removeWorker = workerRemoved(FUZZ_MODEL);
        messages.add(patchInt(removeWorker, body + WorkerRemovedEncoder.dpRankEncodingOffset(), 0x8000_0000));
        return messages;
    }

    private int fuzz(final ExclusivePublication raw)
    {
        final byte[][] valid =
        {
            blocksStored(FUZZ_MODEL, 3), tokensStored(FUZZ_MODEL), blocksRemoved(FUZZ_MODEL), cleared(FUZZ_MODEL),
            workerRemoved(FUZZ_MODEL)
        };
        final SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < MUTATIONS; i++)
        {
            final byte[] template = valid[random.nextInt(valid.length)];
            final int length = random.nextInt(8) == 0 ? 1 + random.nextInt(template.length + 16) : template.length;
            final byte[] message = Arrays.copyOf(template, length);
            for (int m = 1 + random.nextInt(3); m > 0; m--)
            {
                message[random.nextInt(length)] = (byte)random.nextInt(256);
            }
            offer(raw, message);
        }
        return MUTATIONS;
    }

    private byte[] blocksStored(final String model, final int blocks)
    {
        final BlocksStoredEncoder encoder = new BlocksStoredEncoder()
            .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
            .workerId(77).eventId(1).parentHash(0).dpRank(1).blockSize(BS).hasParent(BooleanType.FALSE);
        final BlocksStoredEncoder.BlocksEncoder group = encoder.blocksCount(blocks);
        for (int i = 0; i < blocks; i++)
        {
            group.next().engineHash(1000 + i).localHash(2000 + i);
        }
        encoder.model(model).tenant("");
        return bytes(encoder.encodedLength());
    }

    private byte[] tokensStored(final String model)
    {
        final TokensStoredEncoder encoder = new TokensStoredEncoder()
            .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder())
            .workerId(78).eventId(1).parentHash(0).dpRank(0).blockSize(BS).hasParent(BooleanType.FALSE);
        encoder.blocksCount(1).next().engineHash(3000);
        encoder.model(model).tenant("").loraName("");
        final int limit = encoder.limit();
        scratch.putInt(limit, 4 * BS, ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < BS; i++)
        {
            scratch.putInt(limit + 4 + 4 * i, 40 + i, ByteOrder.LITTLE_ENDIAN);
        }
        encoder.limit(limit + 4 + 4 * BS);
        return bytes(encoder.encodedLength());
    }

    private byte[] blocksRemoved(final String model)
    {
        final BlocksRemovedEncoder encoder = new BlocksRemovedEncoder()
            .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder()).workerId(77).eventId(2).dpRank(1);
        encoder.blocksCount(1).next().engineHash(1001);
        encoder.model(model).tenant("");
        return bytes(encoder.encodedLength());
    }

    private byte[] cleared(final String model)
    {
        final AllBlocksClearedEncoder encoder = new AllBlocksClearedEncoder()
            .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder()).workerId(78).eventId(3).dpRank(0);
        encoder.model(model).tenant("");
        return bytes(encoder.encodedLength());
    }

    private byte[] workerRemoved(final String model)
    {
        final WorkerRemovedEncoder encoder = new WorkerRemovedEncoder()
            .wrapAndApplyHeader(scratch, 0, new MessageHeaderEncoder()).workerId(77).eventId(4).dpRank(1);
        encoder.model(model).tenant("");
        return bytes(encoder.encodedLength());
    }

    private byte[] withHeader(final int schemaId, final int templateId)
    {
        new MessageHeaderEncoder().wrap(scratch, 0).blockLength(40).templateId(templateId).schemaId(schemaId)
            .version(0);
        scratch.setMemory(MessageHeaderEncoder.ENCODED_LENGTH, 64, (byte)0);
        return bytes(64);
    }

    private byte[] bytes(final int bodyLength)
    {
        final byte[] bytes = new byte[MessageHeaderEncoder.ENCODED_LENGTH + bodyLength];
        scratch.getBytes(0, bytes);
        return bytes;
    }

    private static byte[] patch(final byte[] message, final int at, final byte value)
    {
        final byte[] copy = message.clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] patchShort(final byte[] message, final int at, final short value)
    {
        final UnsafeBuffer copy = new UnsafeBuffer(message.clone());
        copy.putShort(at, value, ByteOrder.LITTLE_ENDIAN);
        return copy.byteArray();
    }

    private static byte[] patchInt(final byte[] message, final int at, final int value)
    {
        final UnsafeBuffer copy = new UnsafeBuffer(message.clone());
        copy.putInt(at, value, ByteOrder.LITTLE_ENDIAN);
        return copy.byteArray();
    }

    private static void offer(final ExclusivePublication publication, final byte[] message)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(message);
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (publication.offer(buffer, 0, message.length) < 0)
        {
            assertTrue(System.nanoTime() - deadline < 0, "offer timed out");
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }
}
