package io.kvindex.index;

import io.kvindex.index.ChainCorpus.Chain;
import io.kvindex.index.WorkloadOwner.Tip;
import io.kvindex.index.WorkloadOwner.Worker;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.kvindex.index.ChainCorpus.MAX_CHAIN_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded random mix of KV events and queries applied to two {@link BlockIndex} implementations at once: every
 * event must return the same status from both and every query the same scores; every {@link #checkEvery} operations
 * and at the end of {@link #run} the two must be {@link IndexEquivalence equivalent}. A model of the chains each owner
 * stored keeps most events realistic (stores extend chains the owner holds, removes name blocks it holds) while a
 * steady share is adversarial: missing parents, duplicate stores, unknown or repeated removes, engine hashes reused
 * for other blocks, clears, owners removed and added again. Usage: {@code new RandomIndexWorkload(seed, 16, reference,
 * offHeap).run(100_000)}; failures name the seed and the operation, and a seed replays exactly.
 */
public final class RandomIndexWorkload
{
    /** Operations between two full equivalence checks unless {@link #checkEvery} says otherwise. */
    public static final int DEFAULT_CHECK_INTERVAL = 50_000;

    private static final int MAX_QUERY_LENGTH = MAX_CHAIN_LENGTH + 8;
    private static final int MAX_REMOVE_HASHES = 4;
    private static final int MAX_DP_RANKS = 4;
    private static final int HELD_BLOCKS_PER_OWNER = 256;
    private static final int NO_FAULT = 0;
    private static final int REUSED_HASH = 1;
    private static final int FOREIGN_HASH = 2;

    private final long seed;
    private final SplittableRandom random;
    private final IndexPair pair;
    private final ChainCorpus corpus;
    private final List<Worker> workers = new ArrayList<>();
    private final List<WorkloadOwner> owners = new ArrayList<>();
    private final long[] engineHashes = new long[MAX_CHAIN_LENGTH];
    private final long[] localHashes = new long[MAX_CHAIN_LENGTH];
    private final long[] queryHashes = new long[MAX_QUERY_LENGTH];
    private final long highWater;
    private int checkInterval = DEFAULT_CHECK_INTERVAL;
    private long operation;
    private long nextSmallWorkerId = 1;
    private boolean overFull;
    private long heldSampleSum;
    private long heldSamples;
    private long maxHeld;

    /**
     * A workload over {@code maxOwnersUsed} owners, spread over workers of one to four dp ranks; the indexes must
     * accept at least that many owners and their scores fit in an {@link OverlapScores} of that capacity.
     *
     * @param seed          the seed; the same seed replays the same operations.
     * @param maxOwnersUsed the most owners known to the indexes at any time.
     * @param a             the first index, taken as expected in messages (e.g. the reference).
     * @param b             the second index, under test.
     */
    public RandomIndexWorkload(final long seed, final int maxOwnersUsed, final BlockIndex a, final BlockIndex b)
    {
        this(seed, maxOwnersUsed, maxOwnersUsed, a, b);
    }

    /**
     * As {@link #RandomIndexWorkload(long, int, BlockIndex, BlockIndex)}, for indexes whose queries need an
     * {@link OverlapScores} larger than the owners used (e.g. sized to their owner table).
     *
     * @param seed           the seed; the same seed replays the same operations.
     * @param maxOwnersUsed  the most owners known to the indexes at any time.
     * @param scoresCapacity the capacity of the {@link OverlapScores} passed to queries.
     * @param a              the first index, taken as expected in messages.
     * @param b              the second index, under test.
     */
    public RandomIndexWorkload(
        final long seed, final int maxOwnersUsed, final int scoresCapacity, final BlockIndex a, final BlockIndex b)
    {
        if (maxOwnersUsed < 1 || scoresCapacity < maxOwnersUsed)
        {
            throw new IllegalArgumentException("maxOwnersUsed=" + maxOwnersUsed + ", scores=" + scoresCapacity);
        }
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.pair = new IndexPair(a, b, scoresCapacity, this::context);
        this.corpus = new ChainCorpus(random);
        this.highWater = (long)HELD_BLOCKS_PER_OWNER * maxOwnersUsed;
        while (owners.size() < maxOwnersUsed)
        {
            final Worker worker = new Worker(nextWorkerId());
            final int dpRanks = Math.min(maxOwnersUsed - owners.size(), 1 + random.nextInt(MAX_DP_RANKS));
            for (int dpRank = 0; dpRank < dpRanks; dpRank++)
            {
                final WorkloadOwner owner = new WorkloadOwner(worker, dpRank, owners.size() % 2 == 0, random);
                worker.owners.add(owner);
                owners.add(owner);
            }
            workers.add(worker);
        }
    }

    /**
     * Set how often the indexes are compared in full.
     *
     * @param operations operations between two full equivalence checks.
     * @return this for a fluent API.
     */
    public RandomIndexWorkload checkEvery(final int operations)
    {
        if (operations < 1)
        {
            throw new IllegalArgumentException("operations=" + operations);
        }
        checkInterval = operations;
        return this;
    }

    /**
     * Apply {@code operations} random operations to both indexes, compare them in full, then clear every worker and
     * check that both hold nothing; may be called again to continue with the same owners.
     *
     * @param operations number of events and queries to apply.
     */
    public void run(final int operations)
    {
        for (int i = 0; i < operations; i++)
        {
            operation++;
            step();
            if (operation % checkInterval == 0)
            {
                checkEquivalent("");
            }
            if ((operation & 63) == 0)
            {
                final long held = heldBlocks();
                overFull = held > highWater;
                heldSampleSum += held;
                heldSamples++;
                maxHeld = Math.max(maxHeld, held);
            }
        }
        checkEquivalent("");

        for (final Worker worker : workers)
        {
            clear(worker);
        }
        for (final WorkloadOwner owner : owners)
        {
            assertEquals(0, pair.treeSize(owner.worker.id, owner.dpRank), () -> context() + " " + owner);
        }
        checkEquivalent(" after clearing every worker:");
        assertTrue(pair.isEmpty(), () -> context() + " dump not empty after clearing every worker");
    }

    /**
     * How many events returned a status so far.
     *
     * @param status an {@link EventStatus}.
     * @return the count of events that returned it.
     */
    public long statusCount(final int status)
    {
        return pair.statusCount(status);
    }

    /**
     * How many queries so far matched at least one owner.
     *
     * @return queries with a non-empty answer.
     */
    public long nonEmptyQueries()
    {
        return pair.nonEmptyQueries();
    }

    /**
     * The seed, the operations so far, how many events returned each status and how many queries matched.
     *
     * @return a one-line summary.
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("RandomIndexWorkload{seed=").append(seed)
            .append(", operations=").append(operation);
        for (int status = 0; status < EventStatus.COUNT; status++)
        {
            sb.append(", ").append(EventStatus.name(status)).append('=').append(pair.statusCount(status));
        }
        return sb.append(", nonEmptyQueries=").append(pair.nonEmptyQueries())
            .append(", meanHeldBlocks=").append(heldSampleSum / Math.max(1, heldSamples))
            .append(", maxHeldBlocks=").append(maxHeld).append('}').toString();
    }

    private void step()
    {
        final int roll = random.nextInt(1000);
        final WorkloadOwner owner = owners.get(random.nextInt(owners.size()));
        if (overFull && roll < 400)
        {
            if (roll < 40)
            {
                clear(owner.worker);
            }
            else
            {
                remove(owner);
            }
        }
        else if (roll < 260)
        {
            storeExtending(owner, NO_FAULT);
        }
        else if (roll < 350)
        {
            storeFromRoot(owner, NO_FAULT);
        }
        else if (roll < 400)
        {
            storeAgain(owner, NO_FAULT);
        }
        else if (roll < 435)
        {
            storeUnderMissingParent(owner);
        }
        else if (roll < 470)
        {
            storeExtending(owner, REUSED_HASH);
        }
        else if (roll < 490)
        {
            storeAgain(owner, FOREIGN_HASH);
        }
        else
        {
            stepOther(roll, owner);
        }
    }

    private void stepOther(final int roll, final WorkloadOwner owner)
    {
        if (roll < 590)
        {
            remove(owner);
        }
        else if (roll < 593)
        {
            clear(owner.worker);
        }
        else if (roll < 595)
        {
            removeWorker(owner.worker);
        }
        else if (roll < 597)
        {
            removeDpRank(owner);
        }
        else if (roll < 607)
        {
            eventForUnknownOwner(owner.worker);
        }
        else
        {
            query();
        }
    }

    private void storeExtending(final WorkloadOwner owner, final int fault)
    {
        final Tip tip = owner.randomTip(random);
        if (null == tip || tip.length() >= MAX_CHAIN_LENGTH)
        {
            storeFromRoot(owner, fault);
            return;
        }
        final int from = tip.length();
        final boolean branch = from == tip.chain().length() || random.nextInt(8) == 0;
        final Chain chain = branch ? corpus.branch(tip.chain(), from) : tip.chain();
        final int count = 1 + random.nextInt(Math.min(chain.length() - from, corpus.maxStep()));
        fill(owner, chain, from, count);
        store(owner, true, owner.engineHash(chain, from), count, chain, from + count, fault);
    }

    private void storeFromRoot(final WorkloadOwner owner, final int fault)
    {
        final Chain chain = random.nextInt(5) == 0 ? corpus.newChain() : corpus.randomChain();
        final int count = 1 + random.nextInt(Math.min(chain.length(), corpus.maxStep()));
        fill(owner, chain, 0, count);
        store(owner, false, 0, count, chain, count, fault);
    }

    private void storeAgain(final WorkloadOwner owner, final int fault)
    {
        final Tip tip = owner.randomTip(random);
        if (null == tip)
        {
            storeFromRoot(owner, fault);
            return;
        }
        final int from = random.nextInt(tip.length());
        final int count = 1 + random.nextInt(tip.length() - from);
        fill(owner, tip.chain(), from, count);
        final long parent = from > 0 ? owner.engineHash(tip.chain(), from) : 0;
        store(owner, from > 0, parent, count, tip.chain(), from + count, fault);
    }

    private void storeUnderMissingParent(final WorkloadOwner owner)
    {
        final Chain chain = corpus.randomChain();
        final int from = random.nextInt(chain.length());
        final int count = 1 + random.nextInt(Math.min(chain.length() - from, 8));
        fill(owner, chain, from, count);
        final boolean foreign = 0 == from || random.nextInt(3) == 0;
        final long parent = foreign ? random.nextLong() : owner.engineHash(chain, from);
        store(owner, true, parent, count, chain, from + count, NO_FAULT);
    }

    private void store(
        final WorkloadOwner owner,
        final boolean hasParent,
        final long parent,
        final int count,
        final Chain chain,
        final int pathLength,
        final int fault)
    {
        corrupt(owner, count, fault);
        final long workerId = owner.worker.id;
        final int dpRank = owner.dpRank;
        pair.apply(
            (index) -> index.store(workerId, dpRank, hasParent, parent, engineHashes, localHashes, count),
            () -> "store " + owner + " parent " + (hasParent ? Long.toHexString(parent) : "root") + " engine " +
                IndexPair.hex(engineHashes, count) + " local " + IndexPair.hex(localHashes, count));
        refreshTip(owner, chain, pathLength);
    }

    private void corrupt(final WorkloadOwner owner, final int count, final int fault)
    {
        final int i = random.nextInt(count);
        if (REUSED_HASH == fault)
        {
            final Tip tip = owner.randomTip(random);
            if (null != tip && (0 == i || random.nextBoolean()))
            {
                engineHashes[i] = owner.engineHash(tip.chain(), 1 + random.nextInt(tip.length()));
            }
            else if (i > 0)
            {
                engineHashes[i] = engineHashes[i - 1];
            }
        }
        else if (FOREIGN_HASH == fault)
        {
            engineHashes[i] = random.nextLong();
        }
    }

    private void remove(final WorkloadOwner owner)
    {
        final int count = 1 + random.nextInt(MAX_REMOVE_HASHES);
        Chain lastChain = null;
        int lastLength = 0;
        for (int i = 0; i < count; i++)
        {
            final int roll = random.nextInt(100);
            final Tip tip = owner.randomTip(random);
            if (roll < 55 && null != tip)
            {
                lastChain = tip.chain();
                lastLength = random.nextInt(10) < 7 ?
                    tip.length() - random.nextInt(Math.min(tip.length(), 4)) : 1 + random.nextInt(tip.length());
                engineHashes[i] = owner.engineHash(lastChain, lastLength);
            }
            else if (roll < 70 && null != lastChain && lastLength < lastChain.length())
            {
                engineHashes[i] = owner.engineHash(lastChain, ++lastLength);
            }
            else if (roll < 85)
            {
                engineHashes[i] = random.nextLong();
            }
            else
            {
                final Chain chain = corpus.randomChain();
                engineHashes[i] = owner.engineHash(chain, 1 + random.nextInt(chain.length()));
            }
        }
        final long workerId = owner.worker.id;
        final int dpRank = owner.dpRank;
        pair.apply(
            (index) -> index.remove(workerId, dpRank, engineHashes, count),
            () -> "remove " + owner + " " + IndexPair.hex(engineHashes, count));
        revalidateTips(owner);
    }

    private void clear(final Worker worker)
    {
        final long workerId = worker.id;
        pair.apply((index) -> index.clear(workerId), () -> "clear worker " + Long.toUnsignedString(workerId));
        for (final WorkloadOwner owner : worker.owners)
        {
            owner.tips.clear();
        }
    }

    private void removeWorker(final Worker worker)
    {
        final long workerId = worker.id;
        pair.apply((index) -> index.removeWorker(workerId), () -> "removeWorker " + Long.toUnsignedString(workerId));
        final boolean reincarnate = random.nextBoolean();
        if (reincarnate)
        {
            worker.id = nextWorkerId();
        }
        for (final WorkloadOwner owner : worker.owners)
        {
            forget(owner, reincarnate);
        }
    }

    private void removeDpRank(final WorkloadOwner owner)
    {
        final long workerId = owner.worker.id;
        final int dpRank = owner.dpRank;
        pair.apply((index) -> index.removeWorker(workerId, dpRank), () -> "removeWorker " + owner);
        forget(owner, random.nextBoolean());
    }

    private void forget(final WorkloadOwner owner, final boolean newSalt)
    {
        owner.tips.clear();
        if (newSalt)
        {
            owner.newSalt(random);
        }
    }

    private void eventForUnknownOwner(final Worker known)
    {
        final long stranger = random.nextLong();
        final long knownId = known.id;
        final int dpRank = known.owners.size() + random.nextInt(3);
        final long hash = random.nextLong();
        engineHashes[0] = hash;
        localHashes[0] = corpus.randomLocal();
        switch (random.nextInt(6))
        {
            case 0 -> pair.apply((index) -> index.clear(stranger), () -> "clear unknown worker");
            case 1 -> pair.apply((index) -> index.removeWorker(stranger), () -> "removeWorker unknown worker");
            case 2 -> pair.apply((index) -> index.removeWorker(knownId, dpRank), () -> "removeWorker unknown dp");
            case 3 -> pair.apply((index) -> index.remove(stranger, 0, engineHashes, 1), () -> "remove, unknown worker");
            case 4 -> pair.apply((index) -> index.remove(knownId, dpRank, engineHashes, 1), () -> "remove, unknown dp");
            default -> pair.apply(
                (index) -> index.store(stranger, 0, true, hash, engineHashes, localHashes, 1),
                () -> "store under a parent, unknown worker");
        }
    }

    private void query()
    {
        final int roll = random.nextInt(100);
        final WorkloadOwner owner = owners.get(random.nextInt(owners.size()));
        final Tip tip = owner.randomTip(random);
        final Chain chain = roll < 40 && null != tip ? tip.chain() : corpus.randomChain();
        int count = 1 + random.nextInt(chain.length());
        System.arraycopy(chain.locals, 0, queryHashes, 0, count);
        if (roll >= 40 && roll < 60)
        {
            queryHashes[random.nextInt(count)] = corpus.randomLocal();
            final int tail = random.nextInt(MAX_QUERY_LENGTH - count + 1);
            for (int i = 0; i < tail; i++)
            {
                queryHashes[count++] = corpus.randomLocal();
            }
        }
        else if (roll >= 80)
        {
            count = roll < 95 ? 1 + random.nextInt(8) : 0;
            for (int i = 0; i < count; i++)
            {
                queryHashes[i] = corpus.randomLocal();
            }
        }
        pair.query(queryHashes, count);
    }

    private void refreshTip(final WorkloadOwner owner, final Chain chain, final int length)
    {
        pair.query(chain.locals, length);
        final int held = pair.matched(owner.worker.id, owner.dpRank);
        if (held > 0)
        {
            owner.holds(chain, held, random);
        }
    }

    private void revalidateTips(final WorkloadOwner owner)
    {
        for (int i = owner.tips.size() - 1; i >= 0; i--)
        {
            final Tip tip = owner.tips.get(i);
            pair.query(tip.chain().locals, tip.length());
            final int held = pair.matched(owner.worker.id, owner.dpRank);
            if (0 == held)
            {
                owner.tips.remove(i);
            }
            else if (held != tip.length())
            {
                owner.tips.set(i, new Tip(tip.chain(), held));
            }
        }
    }

    private void checkEquivalent(final String when)
    {
        pair.checkEquivalent(when);
        for (final WorkloadOwner owner : owners)
        {
            pair.treeSize(owner.worker.id, owner.dpRank);
        }
    }

    private long heldBlocks()
    {
        long held = 0;
        for (final WorkloadOwner owner : owners)
        {
            held += pair.treeSize(owner.worker.id, owner.dpRank);
        }
        return held;
    }

    private void fill(final WorkloadOwner owner, final Chain chain, final int from, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            localHashes[i] = chain.locals[from + i];
            engineHashes[i] = owner.engineHash(chain, from + i + 1);
        }
    }

    private long nextWorkerId()
    {
        return random.nextBoolean() ? nextSmallWorkerId++ : random.nextLong();
    }

    private String context()
    {
        return "seed " + seed + ", operation " + operation + ":";
    }
}
