package io.kvindex.index;

import io.kvindex.index.ChainCorpus.Chain;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An owner a {@link RandomIndexWorkload} drives: its identity, its engine-hash function of the path (shared with
 * other owners or its own) and the chain prefixes it was last seen to hold.
 */
final class WorkloadOwner
{
    private static final int MAX_TIPS = 24;
    private static final long SHARED_SALT = 0x7F4A7C159E3779B9L;

    final Worker worker;
    final int dpRank;
    final boolean sharedHashes;
    final List<Tip> tips = new ArrayList<>();
    private long salt;

    WorkloadOwner(final Worker worker, final int dpRank, final boolean sharedHashes, final SplittableRandom random)
    {
        this.worker = worker;
        this.dpRank = dpRank;
        this.sharedHashes = sharedHashes;
        newSalt(random);
    }

    /**
     * The engine hash this owner reports for the first {@code length} blocks of a chain.
     */
    long engineHash(final Chain chain, final int length)
    {
        return ChainCorpus.mix(salt + chain.sequence[length - 1]);
    }

    /**
     * Start a new engine incarnation: owners with their own hash function get a new one.
     */
    void newSalt(final SplittableRandom random)
    {
        salt = sharedHashes ? SHARED_SALT : random.nextLong();
    }

    Tip randomTip(final SplittableRandom random)
    {
        return tips.isEmpty() ? null : tips.get(random.nextInt(tips.size()));
    }

    /**
     * Record that the owner holds the first {@code held} blocks of a chain, dropping tips that are prefixes of it.
     */
    void holds(final Chain chain, final int held, final SplittableRandom random)
    {
        for (final Tip tip : tips)
        {
            if (tip.length >= held && chain.samePrefix(tip.chain, held))
            {
                return;
            }
        }
        tips.removeIf((tip) -> tip.length < held && chain.samePrefix(tip.chain, tip.length));
        if (tips.size() == MAX_TIPS)
        {
            tips.remove(random.nextInt(MAX_TIPS));
        }
        tips.add(new Tip(chain, held));
    }

    @Override
    public String toString()
    {
        return "owner " + Long.toUnsignedString(worker.id) + "/" + dpRank;
    }

    /**
     * A worker and its dp ranks; its id changes when it is removed and comes back as a new worker.
     */
    static final class Worker
    {
        final List<WorkloadOwner> owners = new ArrayList<>();
        long id;

        Worker(final long id)
        {
            this.id = id;
        }
    }

    /**
     * The first {@code length} blocks of a chain, last known to be held by the owner.
     */
    record Tip(Chain chain, int length)
    {
    }
}
