package io.kvindex.perf;

import io.kvindex.client.BlockHasher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Block hashing of a 64-block prompt with {@link BlockHasher}, in blocks/s: local hashes (XXH3-64 over the
 * tokens, for block sizes 16 and 512; tokens/s = blocks/s times the block size) and sequence hashes (one
 * 16-byte XXH3-64 per block, independent of the block size). Not final: JMH subclasses benchmark classes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 3, jvmArgs = { "-Xms512m", "-Xmx512m" })
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class HashingBenchmark
{
    /** Blocks per prompt. */
    public static final int BLOCKS = 64;

    /**
     * A prompt of {@link #BLOCKS} full blocks of random token ids.
     */
    @State(Scope.Thread)
    public static class Prompt
    {
        /** Tokens per block. */
        @Param({ "16", "512" })
        public int blockSize;

        int[] tokens;
        long[] out;
        BlockHasher hasher;

        /**
         * Fill the prompt.
         */
        @Setup
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(blockSize);
            tokens = new int[BLOCKS * blockSize];
            for (int i = 0; i < tokens.length; i++)
            {
                tokens[i] = random.nextInt(152_064);
            }
            out = new long[BLOCKS];
            hasher = new BlockHasher(blockSize);
        }
    }

    /**
     * The local hashes of a prompt, input of the sequence hashes.
     */
    @State(Scope.Thread)
    public static class Chain
    {
        long[] localHashes;
        long[] out;
        BlockHasher hasher;

        /**
         * Fill the local hashes.
         */
        @Setup
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(BLOCKS);
            localHashes = new long[BLOCKS];
            for (int i = 0; i < BLOCKS; i++)
            {
                localHashes[i] = random.nextLong();
            }
            out = new long[BLOCKS];
            hasher = new BlockHasher(16);
        }
    }

    /**
     * Local hashes of every block of the prompt.
     *
     * @param prompt the prompt.
     * @return the last hash, for the blackhole.
     */
    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public long localHashes(final Prompt prompt)
    {
        prompt.hasher.localHashes(prompt.tokens, prompt.tokens.length, prompt.out);
        return prompt.out[BLOCKS - 1];
    }

    /**
     * Sequence hashes of the prompt's local hashes.
     *
     * @param chain the local hashes.
     * @return the last hash, for the blackhole.
     */
    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public long sequenceHashes(final Chain chain)
    {
        chain.hasher.sequenceHashes(chain.localHashes, BLOCKS, chain.out);
        return chain.out[BLOCKS - 1];
    }
}
