package io.kvindex.perf.trace;

/**
 * The 64-bit mixing function the trace tools derive identifiers with (the SplitMix64 finalizer).
 */
final class Hashes
{
    static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Hashes()
    {
    }

    static long mix64(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static long combine(final long previous, final long value)
    {
        return mix64(previous * GOLDEN + value);
    }
}
