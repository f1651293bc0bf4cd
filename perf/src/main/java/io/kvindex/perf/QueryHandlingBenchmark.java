package io.kvindex.perf;

import io.aeron.logbuffer.FrameDescriptor;
import io.kvindex.client.QueryProtocol;
import io.kvindex.client.codecs.HashKind;
import io.kvindex.client.codecs.MessageHeaderDecoder;
import io.kvindex.client.codecs.MessageHeaderEncoder;
import io.kvindex.client.codecs.OverlapRequestDecoder;
import io.kvindex.client.codecs.OverlapRequestEncoder;
import io.kvindex.client.codecs.QueryStatus;
import io.kvindex.index.BlockIndex;
import io.kvindex.index.OverlapScores;
import io.kvindex.server.query.IndexRegistry;
import io.kvindex.server.query.OverlapRequestHandler;
import io.kvindex.server.query.OverlapResponseProxy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The server side of one overlap query without a transport, as the query agent runs it per request: decode the
 * OverlapRequest (header, fixed fields, then {@link OverlapRequestHandler} checks and reads the var fields), find the
 * index, {@code findMatches} on a warm {@link SharingWorkload} index of about 1M blocks, and encode the
 * OverlapResponse ({@link OverlapResponseProxy}). The 8192 workload queries are encoded once in setup, 64 blocks each:
 * <ul>
 *     <li>{@code local-hashes}: the client sends local hashes; walks as in {@link FindMatchesBenchmark}.</li>
 *     <li>{@code token-ids}: the client sends 1024 token ids (64 blocks of 16) that the server hashes (XXH3 per
 *     block); random tokens, so the walk stops at the first block: this measures decoding and hashing.</li>
 * </ul>
 * With {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes per request. Not final: JMH subclasses benchmark classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 2, jvmArgs = { "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch" })
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class QueryHandlingBenchmark
{
    private static final String MODEL = "kvindex-bench";
    private static final int BLOCK_SIZE = 16;
    private static final int MAX_QUERY_BLOCKS = 8192;

    /** Blocks (nodes) of the warm index. */
    @Param({ "1000000" })
    public int blocks;

    /** What the requests carry: {@code local-hashes} or {@code token-ids}. */
    @Param({ "local-hashes", "token-ids" })
    public String hashKind;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final OverlapRequestDecoder requestDecoder = new OverlapRequestDecoder();
    private BlockIndex index;
    private OverlapRequestHandler handler;
    private OverlapResponseProxy proxy;
    private OverlapScores scores;
    private UnsafeBuffer requests;
    private int[] offsets;
    private int[] lengths;
    private int queryMask;
    private int maxMessageLength;
    private int next;

    /**
     * Warm the index, register it, encode every request.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final SharingWorkload workload = new SharingWorkload(Workloads.context(blocks, Workloads.SHARED_ENGINE_HASHES));
        index = IndexFactory.create(IndexFactory.OFF_HEAP, workload.capacityHint(), workload.owners());
        workload.populate(index);
        final IndexRegistry registry = new IndexRegistry();
        registry.register(MODEL, null, index, BLOCK_SIZE);
        handler = new OverlapRequestHandler(registry, MAX_QUERY_BLOCKS, MAX_QUERY_BLOCKS * BLOCK_SIZE);
        proxy = new OverlapResponseProxy(workload.owners());
        scores = new OverlapScores(workload.owners());
        maxMessageLength = FrameDescriptor.computeMaxMessageLength(1024 * 1024);
        encodeRequests(workload.queries(), workload.context().queryBlocks());
        for (int q = 0; q < offsets.length; q++)
        {
            if (QueryStatus.OK != answer(q))
            {
                throw new IllegalStateException("request " + q + " was not answered OK");
            }
        }
        System.out.printf("%n%s: %s%n", hashKind, workload.describe());
    }

    /**
     * Release the index.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        index.close();
    }

    /**
     * Decode, query and encode one request.
     *
     * @return the encoded response length, for the blackhole.
     */
    @Benchmark
    public int handle()
    {
        final int q = next;
        next = (q + 1) & queryMask;
        answer(q);
        return proxy.length();
    }

    private QueryStatus answer(final int q)
    {
        final int offset = offsets[q];
        headerDecoder.wrap(requests, offset);
        requestDecoder.wrap(requests, offset + MessageHeaderDecoder.ENCODED_LENGTH, headerDecoder.blockLength(),
            headerDecoder.version());
        final long correlationId = requestDecoder.correlationId();
        final QueryStatus status = handler.handle(requestDecoder, offset + lengths[q], scores);
        return proxy.encode(correlationId, status, scores, maxMessageLength);
    }

    private void encodeRequests(final long[][] queries, final int queryBlocks)
    {
        final boolean tokens = "token-ids".equals(hashKind);
        if (!tokens && !"local-hashes".equals(hashKind))
        {
            throw new IllegalArgumentException("hashKind: local-hashes or token-ids, not " + hashKind);
        }
        final byte[] model = MODEL.getBytes(StandardCharsets.UTF_8);
        final int payload = tokens ?
            queryBlocks * BLOCK_SIZE * QueryProtocol.TOKEN_ID_BYTES : queryBlocks * QueryProtocol.LOCAL_HASH_BYTES;
        final int stride = MessageHeaderEncoder.ENCODED_LENGTH + OverlapRequestEncoder.BLOCK_LENGTH +
            4 * OverlapRequestEncoder.modelHeaderLength() + model.length + payload;
        requests = new UnsafeBuffer(ByteBuffer.allocateDirect(stride * queries.length));
        offsets = new int[queries.length];
        lengths = new int[queries.length];
        queryMask = Workloads.powerOfTwoMask(queries.length);
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final OverlapRequestEncoder encoder = new OverlapRequestEncoder();
        final SplittableRandom random = new SplittableRandom(7);
        for (int q = 0; q < queries.length; q++)
        {
            final int offset = q * stride;
            encoder.wrapAndApplyHeader(requests, offset, headerEncoder)
                .sessionId(1)
                .correlationId(q)
                .hashKind(tokens ? HashKind.TOKEN_IDS : HashKind.LOCAL_HASHES)
                .putModel(model, 0, model.length)
                .putTenant(model, 0, 0)
                .putLoraName(model, 0, 0);
            final int limit = encoder.limit();
            requests.putInt(limit, payload, ByteOrder.LITTLE_ENDIAN);
            final int start = limit + OverlapRequestEncoder.hashesHeaderLength();
            for (int i = 0, n = tokens ? queryBlocks * BLOCK_SIZE : queryBlocks; i < n; i++)
            {
                if (tokens)
                {
                    requests.putInt(start + i * QueryProtocol.TOKEN_ID_BYTES, random.nextInt(152_064),
                        ByteOrder.LITTLE_ENDIAN);
                }
                else
                {
                    requests.putLong(
                        start + i * QueryProtocol.LOCAL_HASH_BYTES, queries[q][i], ByteOrder.LITTLE_ENDIAN);
                }
            }
            offsets[q] = offset;
            lengths[q] = start + payload - offset;
        }
    }
}
