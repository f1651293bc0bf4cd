package io.kvindex.client;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.kvindex.client.events.codecs.AllBlocksClearedDecoder;
import io.kvindex.client.events.codecs.BlocksRemovedDecoder;
import io.kvindex.client.events.codecs.BlocksStoredDecoder;
import io.kvindex.client.events.codecs.BooleanType;
import io.kvindex.client.events.codecs.MessageHeaderDecoder;
import io.kvindex.client.events.codecs.TokensStoredDecoder;
import io.kvindex.client.events.codecs.WorkerRemovedDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link KvEventPublisher} against a real embedded media driver, read back with the generated decoders: every event
 * kind encodes what was given (claimed in place, or offered in fragments above the MTU), ids are consecutive over
 * successful events only, back pressure and missing subscribers return their result codes, and publishing
 * allocates nothing.
 */
class KvEventPublisherTest
{
    private static final int TERM_LENGTH = 64 * 1024;
    private static final int STREAM = 1003;
    private static final int BS = 4;

    private MediaDriver driver;
    private Aeron aeron;
    private final List<String> decoded = new ArrayList<>();

    @BeforeEach
    void launch()
    {
        final Path shm = Path.of("/dev/shm");
        final Path base = Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        final String dir = base.resolve("kvindex-publisher-test-" + ProcessHandle.current().pid() + "-" +
            Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xFFFFFF)).toString();
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(1, 1, 1_000, 100_000))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .ipcTermBufferLength(TERM_LENGTH)
            .publicationTermBufferLength(TERM_LENGTH));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
    }

    @AfterEach
    void close()
    {
        aeron.close();
        driver.close();
    }

    @Test
    @Timeout(30)
    void shouldEncodeEveryEventKindAsTheDecodersReadIt()
    {
        try (Subscription subscription = aeron.addSubscription("aeron:ipc", STREAM);
            KvEventPublisher publisher = KvEventPublisher.connect(context("llama").tenant("acme")))
        {
            assertTrue(publisher.awaitConnected(TimeUnit.SECONDS.toNanos(5)));
            final long[] engine = { -1L, 2, 3 };
            final long[] local = { 10, 20, 30 };
            final int[] tokens = { 1, 2, 3, 4, 5, 6, 7, 8 };
            assertEquals(0, publisher.publishStored(7, 1, false, 99, engine, local, 3));
            assertEquals(1, publisher.publishStored(7, 1, true, -5, engine, local, 1));
            assertEquals(2, publisher.publishStoredTokens(8, 0, true, 3, engine, 2, tokens, 8, "adapter"));
            assertEquals(3, publisher.publishRemoved(7, 1, engine, 2));
            assertEquals(4, publisher.publishCleared(0xF000_0000_0000_0001L, 2));
            assertEquals(5, publisher.publishRemoveWorker(7, KvEventProtocol.ALL_RANKS));
            assertEquals(6, publisher.publishRemoveWorker(7, 4));
            final long[] many = new long[200];
            assertEquals(7, publisher.publishStored(9, 0, false, 0, many, many, many.length));
            assertEquals(8, publisher.nextEventId());
            assertEquals(8, publisher.publishedCount());

            poll(subscription, 8);
            assertEquals(List.of(
                "stored w=7 r=1 id=0 parent=false/0 bs=4 [-1:10, 2:20, 3:30] llama/acme",
                "stored w=7 r=1 id=1 parent=true/-5 bs=4 [-1:10] llama/acme",
                "tokens w=8 r=0 id=2 parent=true/3 bs=4 [-1, 2] llama/acme lora=adapter " +
                    "tokens=[1, 2, 3, 4, 5, 6, 7, 8]",
                "removed w=7 r=1 id=3 [-1, 2] llama/acme",
                "cleared w=-1152921504606846975 r=2 id=4 llama/acme",
                "remove-worker w=7 r=4294967295 id=5 llama/acme",
                "remove-worker w=7 r=4 id=6 llama/acme",
                "stored w=9 r=0 id=7 parent=false/0 bs=4 blocks=200 llama/acme"), decoded);
        }
    }

    @Test
    @Timeout(30)
    void shouldReturnResultCodesWithoutTakingEventIds()
    {
        try (KvEventPublisher publisher = KvEventPublisher.connect(context("llama").offerTimeoutNs(0)))
        {
            final long[] hashes = new long[1024];
            assertEquals(KvEventPublisher.NOT_CONNECTED, publisher.publishCleared(1, 0));
            assertEquals(1, publisher.failureCount(KvEventPublisher.NOT_CONNECTED));
            try (Subscription subscription = aeron.addSubscription("aeron:ipc", STREAM))
            {
                assertTrue(publisher.awaitConnected(TimeUnit.SECONDS.toNanos(5)));
                assertEquals(KvEventPublisher.TOO_LARGE, publisher.publishRemoved(1, 0, hashes, hashes.length));
                long result;
                int published = 0;
                while ((result = publisher.publishRemoved(1, 0, hashes, 16)) >= 0)
                {
                    assertEquals(published++, result);
                }
                assertEquals(KvEventPublisher.BACK_PRESSURED, result);
                assertEquals(published, publisher.nextEventId());
                assertEquals(0, subscription.poll((buffer, offset, length, header) -> { }, 0));
            }
            assertEquals(0, publisher.backPressureRetries());
        }
    }

    @Test
    @Timeout(30)
    void shouldRetryBackPressuredEventsUntilTheOfferTimeout()
    {
        try (Subscription subscription = aeron.addSubscription("aeron:ipc", STREAM);
            KvEventPublisher publisher = KvEventPublisher.connect(
                context("llama").offerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(20))))
        {
            awaitConnected(publisher, subscription);
            final long[] hashes = new long[16];
            long result;
            while ((result = publisher.publishRemoved(1, 0, hashes, hashes.length)) >= 0)
            {
                assertTrue(result < TERM_LENGTH);
            }
            assertEquals(KvEventPublisher.BACK_PRESSURED, result);
            assertTrue(publisher.backPressureRetries() > 0);
            assertEquals(1, publisher.failureCount(KvEventPublisher.BACK_PRESSURED));
            assertTrue(subscription.poll((buffer, offset, length, header) -> { }, Integer.MAX_VALUE) > 0);
            assertTrue(publisher.publishRemoved(1, 0, hashes, hashes.length) >= 0);
        }
    }

    @Test
    @Timeout(30)
    void shouldNotAllocatePerEvent()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        final long threadId = Thread.currentThread().getId();
        try (Subscription subscription = aeron.addSubscription("aeron:ipc", STREAM);
            KvEventPublisher publisher = KvEventPublisher.connect(
                context("llama").offerTimeoutNs(TimeUnit.SECONDS.toNanos(5))))
        {
            awaitConnected(publisher, subscription);
            final FragmentHandler drain = (buffer, offset, length, header) -> { };
            final long[] hashes = { 1, 2, 3, 4 };
            final int[] tokens = new int[4 * BS];
            final String lora = "adapter";
            publishMix(publisher, subscription, drain, hashes, tokens, lora, 20_000);
            final long before = threads.getThreadAllocatedBytes(threadId);
            publishMix(publisher, subscription, drain, hashes, tokens, lora, 20_000);
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
            assertTrue(allocated < 4096, "allocated " + allocated + " bytes over 100k events");
        }
    }

    private static void publishMix(
        final KvEventPublisher publisher,
        final Subscription subscription,
        final FragmentHandler drain,
        final long[] hashes,
        final int[] tokens,
        final String lora,
        final int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            check(publisher.publishStored(1, 0, false, 0, hashes, hashes, 4));
            check(publisher.publishStoredTokens(1, 0, true, 4, hashes, 4, tokens, tokens.length, lora));
            check(publisher.publishRemoved(1, 0, hashes, 2));
            check(publisher.publishCleared(1, 0));
            check(publisher.publishRemoveWorker(1, 0));
            subscription.poll(drain, 16);
        }
    }

    /**
     * Wait until both ends see each other: a subscriber on the publishing thread must have its image before the
     * window fills, or the publisher waits for a poll that cannot come.
     */
    private static void awaitConnected(final KvEventPublisher publisher, final Subscription subscription)
    {
        assertTrue(publisher.awaitConnected(TimeUnit.SECONDS.toNanos(5)));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!subscription.isConnected())
        {
            assertTrue(System.nanoTime() - deadline < 0, "no image");
            Thread.yield();
        }
    }

    private static void check(final long result)
    {
        if (result < 0)
        {
            fail("publish returned " + result);
        }
    }

    private KvEventPublisherContext context(final String model)
    {
        return new KvEventPublisherContext()
            .aeron(aeron)
            .channel("aeron:ipc")
            .streamId(STREAM)
            .model(model)
            .blockSize(BS)
            .idleStrategy(new BackoffIdleStrategy(1, 1, 1_000, 100_000));
    }

    private void poll(final Subscription subscription, final int messages)
    {
        final FragmentAssembler assembler = new FragmentAssembler(
            (buffer, offset, length, header) -> decoded.add(decode(buffer, offset)));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (decoded.size() < messages && System.nanoTime() < deadline)
        {
            subscription.poll(assembler, 16);
        }
    }

    private static String decode(final DirectBuffer buffer, final int offset)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
        assertEquals(MessageHeaderDecoder.SCHEMA_ID, header.schemaId());
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        switch (header.templateId())
        {
            case BlocksStoredDecoder.TEMPLATE_ID:
                return stored(new BlocksStoredDecoder().wrap(buffer, body, header.blockLength(), header.version()));

            case TokensStoredDecoder.TEMPLATE_ID:
                return tokens(new TokensStoredDecoder().wrap(buffer, body, header.blockLength(), header.version()));

            case BlocksRemovedDecoder.TEMPLATE_ID:
            {
                final BlocksRemovedDecoder d =
                    new BlocksRemovedDecoder().wrap(buffer, body, header.blockLength(), header.version());
                final List<Long> hashes = new ArrayList<>();
                for (final BlocksRemovedDecoder.BlocksDecoder block : d.blocks())
                {
                    hashes.add(block.engineHash());
                }
                return "removed w=" + d.workerId() + " r=" + d.dpRank() + " id=" + d.eventId() + " " + hashes + " " +
                    d.model() + "/" + d.tenant();
            }

            case AllBlocksClearedDecoder.TEMPLATE_ID:
            {
                final AllBlocksClearedDecoder d =
                    new AllBlocksClearedDecoder().wrap(buffer, body, header.blockLength(), header.version());
                return "cleared w=" + d.workerId() + " r=" + d.dpRank() + " id=" + d.eventId() + " " + d.model() +
                    "/" + d.tenant();
            }

            case WorkerRemovedDecoder.TEMPLATE_ID:
            {
                final WorkerRemovedDecoder d =
                    new WorkerRemovedDecoder().wrap(buffer, body, header.blockLength(), header.version());
                return "remove-worker w=" + d.workerId() + " r=" + d.dpRank() + " id=" + d.eventId() + " " +
                    d.model() + "/" + d.tenant();
            }

            default:
                return "unknown template " + header.templateId();
        }
    }

    private static String stored(final BlocksStoredDecoder d)
    {
        final List<String> blocks = new ArrayList<>();
        for (final BlocksStoredDecoder.BlocksDecoder block : d.blocks())
        {
            blocks.add(block.engineHash() + ":" + block.localHash());
        }
        final String shown = blocks.size() > 10 ? "blocks=" + blocks.size() : blocks.toString();
        return "stored w=" + d.workerId() + " r=" + d.dpRank() + " id=" + d.eventId() + " parent=" +
            (BooleanType.TRUE == d.hasParent()) + "/" + d.parentHash() + " bs=" + d.blockSize() + " " + shown + " " +
            d.model() + "/" + d.tenant();
    }

    private static String tokens(final TokensStoredDecoder d)
    {
        final List<Long> hashes = new ArrayList<>();
        for (final TokensStoredDecoder.BlocksDecoder block : d.blocks())
        {
            hashes.add(block.engineHash());
        }
        final String names = d.model() + "/" + d.tenant() + " lora=" + d.loraName();
        final int length = d.tokenIdsLength();
        final int start = d.limit() + TokensStoredDecoder.tokenIdsHeaderLength();
        final List<Integer> tokens = new ArrayList<>();
        for (int i = 0; i < length / Integer.BYTES; i++)
        {
            tokens.add(d.buffer().getInt(start + i * Integer.BYTES, ByteOrder.LITTLE_ENDIAN));
        }
        return "tokens w=" + d.workerId() + " r=" + d.dpRank() + " id=" + d.eventId() + " parent=" +
            (BooleanType.TRUE == d.hasParent()) + "/" + d.parentHash() + " bs=" + d.blockSize() + " " + hashes +
            " " + names + " tokens=" + tokens;
    }
}
