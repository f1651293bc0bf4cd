package io.kvindex.perf;

/**
 * Settings shared by the benchmarks that run on a {@link SharingWorkload}.
 */
final class Workloads
{
    /** Engine hashes equal for all owners holding a prefix. */
    static final String SHARED_ENGINE_HASHES = "shared";

    /** Engine hashes different per owner. */
    static final String PER_OWNER_ENGINE_HASHES = "per-owner";

    private Workloads()
    {
    }

    /**
     * The standard workload at a size, with engine hashes {@link #SHARED_ENGINE_HASHES} or
     * {@link #PER_OWNER_ENGINE_HASHES}.
     */
    static SharingWorkloadContext context(final int blocks, final String engineHashes)
    {
        final boolean perOwner;
        if (SHARED_ENGINE_HASHES.equals(engineHashes))
        {
            perOwner = false;
        }
        else if (PER_OWNER_ENGINE_HASHES.equals(engineHashes))
        {
            perOwner = true;
        }
        else
        {
            throw new IllegalArgumentException("engine hashes '" + engineHashes + "': expected " +
                SHARED_ENGINE_HASHES + " or " + PER_OWNER_ENGINE_HASHES);
        }
        return new SharingWorkloadContext().targetBlocks(blocks).perOwnerEngineHashes(perOwner);
    }

    static int powerOfTwoMask(final int length)
    {
        if (Integer.bitCount(length) != 1)
        {
            throw new IllegalArgumentException("need a power of two, got " + length);
        }
        return length - 1;
    }
}
