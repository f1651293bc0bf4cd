package io.kvindex.index;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The paths of local hashes a {@link RandomIndexWorkload} stores and queries: a bounded pool of chains of up to
 * {@link #MAX_CHAIN_LENGTH} blocks, most of them branching off others so that owners share prefixes.
 */
final class ChainCorpus
{
    static final int MAX_CHAIN_LENGTH = 100;

    private static final int MAX_CHAINS = 256;
    private static final long SEQUENCE_SEED = 0x2545F4914F6CDD1DL;

    private final List<Chain> chains = new ArrayList<>();
    private final SplittableRandom random;

    ChainCorpus(final SplittableRandom random)
    {
        this.random = random;
    }

    Chain randomChain()
    {
        return chains.isEmpty() ? newChain() : chains.get(random.nextInt(chains.size()));
    }

    Chain newChain()
    {
        if (chains.isEmpty() || random.nextInt(5) < 2)
        {
            return branch(null, 0);
        }
        final Chain base = chains.get(random.nextInt(chains.size()));
        return branch(base, random.nextInt(Math.min(base.length(), MAX_CHAIN_LENGTH - 1) + 1));
    }

    /**
     * A new chain sharing the first {@code at} blocks of {@code base} and continuing with new random blocks.
     */
    Chain branch(final Chain base, final int at)
    {
        final int length = at + 1 + random.nextInt(Math.min(MAX_CHAIN_LENGTH - at, maxStep()));
        final long[] locals = new long[length];
        for (int i = 0; i < length; i++)
        {
            locals[i] = i < at ? base.locals[i] : randomLocal();
        }
        final Chain chain = new Chain(locals);
        if (chains.size() < MAX_CHAINS)
        {
            chains.add(chain);
        }
        else
        {
            chains.set(random.nextInt(MAX_CHAINS), chain);
        }
        return chain;
    }

    /**
     * How many blocks one event may carry: mostly a few, sometimes a long run.
     */
    int maxStep()
    {
        final int roll = random.nextInt(100);
        return roll < 70 ? 8 : roll < 95 ? 32 : MAX_CHAIN_LENGTH;
    }

    /**
     * A local hash: usually random, sometimes from a tiny alphabet so that unrelated chains meet.
     */
    long randomLocal()
    {
        return random.nextInt(100) < 15 ? random.nextInt(4) : random.nextLong();
    }

    static long mix(final long value)
    {
        long z = (value ^ (value >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * A path of local hashes from the root, with a running hash of each prefix so that prefixes compare in O(1).
     */
    static final class Chain
    {
        final long[] locals;
        final long[] sequence;

        Chain(final long[] locals)
        {
            this.locals = locals;
            this.sequence = new long[locals.length];
            long previous = SEQUENCE_SEED;
            for (int i = 0; i < locals.length; i++)
            {
                previous = mix(Long.rotateLeft(previous, 23) ^ locals[i]);
                sequence[i] = previous;
            }
        }

        int length()
        {
            return locals.length;
        }

        /**
         * Whether both chains start with the same {@code length} blocks; {@code length} must not exceed this one's.
         */
        boolean samePrefix(final Chain other, final int length)
        {
            return 0 == length || (other.length() >= length && sequence[length - 1] == other.sequence[length - 1]);
        }
    }
}
