package io.kvindex.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The block index off the Java heap ({@code spec/dynamo-compat.md} section 2). Nodes are fixed records in one
 * direct buffer ({@link NodeRecords}); a stored chain takes consecutive records, and a hash table keyed by
 * {@code (parent, local hash)} holds only the children that are not the next record (branch points). Membership
 * is a bitset over dense owner slots; each owner's engine hashes resolve through one table keyed by
 * {@code (engine hash, slot)}. An owner's held nodes are always prefix-closed: a child's bit is set after its
 * parent's and cleared before it, so a reader walking a path can only under-count.
 * <p>
 * One thread writes. Any number of threads may call {@link #findMatches} concurrently without locks: before a
 * freed node record or owner slot is reused the writer advances a reuse epoch, and a query that saw the epoch move
 * runs again (after a few attempts it answers with nothing, which is an under-count).
 */
public final class OffHeapBlockIndex implements BlockIndex
{
    private static final int QUERY_ATTEMPTS = 4;
    private static final VarHandle EPOCH;

    static
    {
        try
        {
            EPOCH = MethodHandles.lookup().findVarHandle(OffHeapBlockIndex.class, "reuseEpoch", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final NodeRecords records;
    private final PairKeyTable branches;
    private final PairKeyTable engineToNode;
    private final LongLongTable nodeToEngine;
    private final LongLongTable overflow;
    private final OwnerSlots owners;
    private final Memberships memberships;
    private final EventCounters counters;
    private final IndexDumper dumper;
    private long membershipCount;
    private long prefetchSink;
    private boolean epochAdvanced;
    @SuppressWarnings("unused")
    private volatile long reuseEpoch;

    /**
     * An index with the capacities of a concluded context.
     *
     * @param ctx the configuration.
     */
    public OffHeapBlockIndex(final Context ctx)
    {
        ctx.conclude();
        counters = ctx.counters();
        records = new NodeRecords(ctx.maxBlocks() + 1);
        branches = new PairKeyTable(ctx.initialTableEntries(), ctx.maxBlocks());
        engineToNode = new PairKeyTable(ctx.initialTableEntries(), ctx.maxMemberships());
        nodeToEngine = new LongLongTable(ctx.initialTableEntries() / 4, ctx.maxMemberships());
        overflow = new LongLongTable(ctx.maxOwners() > Memberships.INLINE_SLOTS ? ctx.initialTableEntries() : 0,
            ctx.maxMemberships());
        owners = new OwnerSlots(ctx.maxOwners());
        memberships = new Memberships(records, overflow, owners);
        dumper = new IndexDumper(records, owners, this);
    }

    /**
     * {@inheritDoc}
     */
    public int store(
        final long workerId,
        final int dpRank,
        final boolean hasParent,
        final long parentEngineHash,
        final long[] engineHashes,
        final long[] localHashes,
        final int count)
    {
        epochAdvanced = false;
        int slot = owners.find(workerId, dpRank);
        int node = NodeRecords.ROOT;
        if (hasParent)
        {
            node = OwnerSlots.NO_SLOT == slot ? 0 : engineToNode.get(parentEngineHash, slot);
            if (0 == node)
            {
                return counters.record(EventType.STORED, EventStatus.PARENT_BLOCK_NOT_FOUND);
            }
        }
        if (0 == count)
        {
            return counters.record(EventType.STORED, EventStatus.OK);
        }
        if (!hasRoomFor(node, localHashes, count, slot))
        {
            return counters.record(EventType.STORED, EventStatus.CAPACITY_EXCEEDED);
        }
        if (OwnerSlots.NO_SLOT == slot)
        {
            advanceEpoch();
            slot = owners.add(workerId, dpRank);
            if (!memberships.ensureCapacity(slot, count))
            {
                owners.remove(slot);
                return counters.record(EventType.STORED, EventStatus.CAPACITY_EXCEEDED);
            }
        }
        return counters.record(EventType.STORED, storeChain(slot, node, engineHashes, localHashes, count));
    }

    private int storeChain(
        final int slot, final int parent, final long[] engineHashes, final long[] localHashes, final int count)
    {
        long sink = 0;
        for (int i = 0; i < count; i++)
        {
            sink += engineToNode.touch(engineHashes[i], slot);
        }
        prefetchSink = sink;

        int node = parent;
        boolean created = false;
        for (int i = 0; i < count; i++)
        {
            final long engineHash = engineHashes[i];
            final long localHash = localHashes[i];
            int child = created ? 0 : findChild(node, localHash);
            final int position = engineToNode.find(engineHash, slot);
            if (position >= 0)
            {
                if (engineToNode.valueAt(position) != child)
                {
                    return EventStatus.INVALID_BLOCK;
                }
            }
            else
            {
                if (0 == child)
                {
                    child = createChild(node, localHash, engineHash, slot);
                    created = true;
                }
                else if (memberships.has(child, slot))
                {
                    return EventStatus.INVALID_BLOCK;
                }
                else
                {
                    memberships.add(child, slot);
                }
                engineToNode.putAt(-position - 1, engineHash, slot, child);
                if (engineHash != records.canonicalHash(child))
                {
                    nodeToEngine.put(membershipKey(slot, child), engineHash);
                }
                owners.addTreeSize(slot, 1);
                membershipCount++;
            }
            node = child;
        }
        return EventStatus.OK;
    }

    private boolean hasRoomFor(final int parent, final long[] localHashes, final int count, final int slot)
    {
        final int free = records.free();
        if (free < count && free < newNodesFor(parent, localHashes, count))
        {
            return false;
        }
        if (OwnerSlots.NO_SLOT == slot && owners.count() == owners.maxOwners())
        {
            return false;
        }
        return engineToNode.ensureCapacity(count) && nodeToEngine.ensureCapacity(count) &&
            branches.ensureCapacity(Math.min(count, free)) &&
            (OwnerSlots.NO_SLOT == slot || memberships.ensureCapacity(slot, count));
    }

    private int newNodesFor(final int parent, final long[] localHashes, final int count)
    {
        int node = parent;
        for (int i = 0; i < count; i++)
        {
            node = findChild(node, localHashes[i]);
            if (0 == node)
            {
                return count - i;
            }
        }
        return 0;
    }

    private int createChild(final int parent, final long localHash, final long engineHash, final int slot)
    {
        if (records.nextAllocationReuses())
        {
            advanceEpoch();
        }
        final int child = records.allocate();
        final long bits = memberships.initialBits(child, slot);
        records.publish(child, parent, localHash, engineHash, bits);
        if (child != parent + 1)
        {
            branches.put(localHash, parent, child);
        }
        return child;
    }

    /**
     * {@inheritDoc}
     */
    public int remove(final long workerId, final int dpRank, final long[] engineHashes, final int count)
    {
        epochAdvanced = false;
        final int slot = owners.find(workerId, dpRank);
        if (OwnerSlots.NO_SLOT == slot)
        {
            return counters.record(EventType.REMOVED, count > 0 ? EventStatus.BLOCK_NOT_FOUND : EventStatus.OK);
        }
        int status = EventStatus.OK;
        for (int i = 0; i < count; i++)
        {
            if (0 == engineToNode.get(engineHashes[i], slot))
            {
                status = EventStatus.BLOCK_NOT_FOUND;
            }
        }
        for (int i = 0; i < count; i++)
        {
            final int node = engineToNode.get(engineHashes[i], slot);
            if (0 != node)
            {
                removeSubtree(slot, node);
            }
        }
        resetWhenEmpty();
        return counters.record(EventType.REMOVED, status);
    }

    /**
     * {@inheritDoc}
     */
    public int clear(final long workerId)
    {
        epochAdvanced = false;
        final int limit = owners.slotLimit();
        for (int slot = 0; slot < limit; slot++)
        {
            if (owners.inUse(slot) && owners.workerId(slot) == workerId)
            {
                clearSlot(slot);
            }
        }
        resetWhenEmpty();
        return counters.record(EventType.CLEARED, EventStatus.OK);
    }

    /**
     * {@inheritDoc}
     */
    public int removeWorker(final long workerId)
    {
        epochAdvanced = false;
        boolean found = false;
        final int limit = owners.slotLimit();
        for (int slot = 0; slot < limit; slot++)
        {
            if (owners.inUse(slot) && owners.workerId(slot) == workerId)
            {
                clearSlot(slot);
                owners.remove(slot);
                found = true;
            }
        }
        resetWhenEmpty();
        return counters.record(EventType.REMOVE_WORKER, found ? EventStatus.OK : EventStatus.BLOCK_NOT_FOUND);
    }

    /**
     * {@inheritDoc}
     */
    public int removeWorker(final long workerId, final int dpRank)
    {
        epochAdvanced = false;
        final int slot = owners.find(workerId, dpRank);
        if (OwnerSlots.NO_SLOT == slot)
        {
            return counters.record(EventType.REMOVE_WORKER, EventStatus.BLOCK_NOT_FOUND);
        }
        clearSlot(slot);
        owners.remove(slot);
        resetWhenEmpty();
        return counters.record(EventType.REMOVE_WORKER, EventStatus.OK);
    }

    private void clearSlot(final int slot)
    {
        int child = firstHeldChild(NodeRecords.ROOT, slot);
        while (NodeRecords.NONE != child)
        {
            final int next = nextHeldSibling(child, slot);
            removeSubtree(slot, child);
            child = next;
        }
    }

    /**
     * Drop {@code top} and every descendant the owner holds, children before parents.
     */
    private void removeSubtree(final int slot, final int top)
    {
        int node = descend(top, slot);
        while (node != top)
        {
            final int sibling = nextHeldSibling(node, slot);
            final int parent = records.parent(node);
            dropOwner(slot, node);
            node = NodeRecords.NONE != sibling ? descend(sibling, slot) : parent;
        }
        dropOwner(slot, top);
    }

    private int descend(final int from, final int slot)
    {
        int node = from;
        int child;
        while (NodeRecords.NONE != (child = firstHeldChild(node, slot)))
        {
            node = child;
        }
        return node;
    }

    int firstHeldChild(final int node, final int slot)
    {
        int child = records.firstChild(node);
        while (NodeRecords.NONE != child && !memberships.has(child, slot))
        {
            child = records.nextSibling(child);
        }
        return child;
    }

    int nextHeldSibling(final int node, final int slot)
    {
        int sibling = records.nextSibling(node);
        while (NodeRecords.NONE != sibling && !memberships.has(sibling, slot))
        {
            sibling = records.nextSibling(sibling);
        }
        return sibling;
    }

    private void dropOwner(final int slot, final int node)
    {
        final long engineHash = nodeToEngine.remove(membershipKey(slot, node), records.canonicalHash(node));
        engineToNode.remove(engineHash, slot);
        owners.addTreeSize(slot, -1);
        membershipCount--;
        if (memberships.remove(node, slot))
        {
            final int parent = records.parent(node);
            if (node != parent + 1)
            {
                branches.remove(records.localHash(node), parent);
            }
            records.release(node);
        }
    }

    private void resetWhenEmpty()
    {
        if (0 == records.live() && records.highWater() > 1)
        {
            advanceEpoch();
            records.reset();
            branches.reset();
            engineToNode.reset();
            nodeToEngine.reset();
            overflow.reset();
        }
    }

    /**
     * The owner's engine hash for a node it holds.
     */
    long engineHash(final int slot, final int node)
    {
        return nodeToEngine.get(membershipKey(slot, node), records.canonicalHash(node));
    }

    private static long membershipKey(final int slot, final int node)
    {
        return ((long)slot << 32) | node;
    }

    private void advanceEpoch()
    {
        if (!epochAdvanced)
        {
            epochAdvanced = true;
            EPOCH.setRelease(this, reuseEpoch + 1);
            VarHandle.storeStoreFence();
        }
    }

    /**
     * Child of {@code parent} for a local hash, or 0; safe from any thread.
     */
    private int findChild(final int parent, final long localHash)
    {
        final int next = parent + 1;
        if (records.isChild(next, parent, localHash))
        {
            return next;
        }
        final int child = branches.get(localHash, parent);
        return 0 != child && records.isChild(child, parent, localHash) ? child : 0;
    }

    /**
     * {@inheritDoc}
     */
    public void findMatches(final long[] localHashes, final int count, final OverlapScores scores)
    {
        for (int attempt = 0; attempt < QUERY_ATTEMPTS; attempt++)
        {
            scores.reset();
            final long epoch = (long)EPOCH.getAcquire(this);
            walk(localHashes, count, scores);
            VarHandle.acquireFence();
            if (epoch == (long)EPOCH.getAcquire(this))
            {
                return;
            }
            scores.countRetry();
        }
        scores.reset();
    }

    private void walk(final long[] localHashes, final int count, final OverlapScores scores)
    {
        if (count <= 0)
        {
            return;
        }
        int node = findChild(NodeRecords.ROOT, localHashes[0]);
        if (0 == node)
        {
            return;
        }
        final int words = Math.min(memberships.wordLimit(), scores.scratchWords().length);
        if (words <= 1)
        {
            walkInline(node, localHashes, count, scores);
        }
        else
        {
            walkWide(node, words, localHashes, count, scores);
        }
    }

    private void walkInline(final int first, final long[] localHashes, final int count, final OverlapScores scores)
    {
        long live = records.ownerBitsVolatile(first);
        int node = first;
        int depth = 1;
        for (; depth < count && 0L != live; depth++)
        {
            final int child = findChild(node, localHashes[depth]);
            if (0 == child)
            {
                break;
            }
            final long held = live & records.ownerBitsVolatile(child);
            if (held != live)
            {
                report(live & ~held, 0, depth, scores);
                live = held;
            }
            node = child;
        }
        report(live, 0, depth, scores);
    }

    private void walkWide(
        final int first, final int words, final long[] localHashes, final int count, final OverlapScores scores)
    {
        final long[] live = scores.scratchWords();
        final int[] liveWords = scores.scratchWordList();
        int liveCount = gatherWords(first, words, live, liveWords);
        int node = first;
        int depth = 1;
        for (; depth < count && liveCount > 0; depth++)
        {
            final int child = findChild(node, localHashes[depth]);
            if (0 == child)
            {
                break;
            }
            for (int i = liveCount - 1; i >= 0; i--)
            {
                final int w = liveWords[i];
                final long bits = live[w];
                final long held = bits & memberships.wordConcurrent(child, w);
                if (held != bits)
                {
                    report(bits & ~held, w << 6, depth, scores);
                    live[w] = held;
                    if (0L == held)
                    {
                        liveWords[i] = liveWords[--liveCount];
                    }
                }
            }
            node = child;
        }
        for (int i = 0; i < liveCount; i++)
        {
            report(live[liveWords[i]], liveWords[i] << 6, depth, scores);
        }
    }

    /**
     * The first node's membership words: the inline word, then only the overflow words its summary names.
     *
     * @return how many words hold owners; their indexes are in {@code liveWords}.
     */
    private int gatherWords(final int first, final int words, final long[] live, final int[] liveWords)
    {
        int liveCount = 0;
        final long inline = records.ownerBitsVolatile(first);
        if (0L != inline)
        {
            live[0] = inline;
            liveWords[liveCount++] = 0;
        }
        long summary = memberships.summaryConcurrent(first);
        while (0L != summary)
        {
            final int bit = Long.numberOfTrailingZeros(summary);
            summary &= summary - 1;
            for (int w = 0 == bit ? 64 : bit; w < words; w += 64)
            {
                final long bits = memberships.wordConcurrent(first, w);
                if (0L != bits)
                {
                    live[w] = bits;
                    liveWords[liveCount++] = w;
                }
            }
        }
        return liveCount;
    }

    private void report(final long bits, final int base, final int blocks, final OverlapScores scores)
    {
        long remaining = bits;
        while (0L != remaining)
        {
            final int slot = base + Long.numberOfTrailingZeros(remaining);
            scores.add(owners.workerId(slot), owners.dpRank(slot), blocks, owners.treeSize(slot));
            remaining &= remaining - 1;
        }
    }

    /**
     * {@inheritDoc}
     */
    public long treeSize(final long workerId, final int dpRank)
    {
        final int slot = owners.find(workerId, dpRank);
        return OwnerSlots.NO_SLOT == slot ? 0 : owners.treeSize(slot);
    }

    /**
     * {@inheritDoc}
     */
    public int ownerCount()
    {
        return owners.count();
    }

    /**
     * {@inheritDoc}
     */
    public void dump(final DumpListener listener)
    {
        dumper.dump(listener);
    }

    /**
     * Counts of applied events by type and status.
     *
     * @return the counters.
     */
    public EventCounters counters()
    {
        return counters;
    }

    /**
     * Nodes in use, the root excluded.
     *
     * @return live blocks.
     */
    public long liveBlocks()
    {
        return records.live();
    }

    /**
     * (owner, block) pairs held.
     *
     * @return memberships.
     */
    public long memberships()
    {
        return membershipCount;
    }

    /**
     * Off-heap bytes holding live state: node records in use and table entries in use.
     *
     * @return used bytes; the empty index's figure is {@link NodeRecords#RECORD_LENGTH}.
     */
    public long usedBytes()
    {
        return usedNodeBytes() + usedMembershipBytes();
    }

    /**
     * The node share of {@link #usedBytes()}: node records in use (the root included) and branch-point entries.
     *
     * @return bytes for blocks, whoever holds them.
     */
    public long usedNodeBytes()
    {
        return (records.live() + 1L) * NodeRecords.RECORD_LENGTH + branches.size() * PairKeyTable.ENTRY_LENGTH;
    }

    /**
     * The membership share of {@link #usedBytes()}: engine-hash lookups, engine hashes that differ from a node's
     * first owner's, and membership words of owner slots above 63.
     *
     * @return bytes for (owner, block) pairs.
     */
    public long usedMembershipBytes()
    {
        return engineToNode.size() * PairKeyTable.ENTRY_LENGTH +
            (nodeToEngine.size() + overflow.size()) * LongLongTable.ENTRY_LENGTH;
    }

    /**
     * Off-heap bytes allocated: every record and every table slot, used or not.
     *
     * @return reserved bytes.
     */
    public long reservedBytes()
    {
        return records.reservedBytes() + branches.reservedBytes() + engineToNode.reservedBytes() +
            nodeToEngine.reservedBytes() + overflow.reservedBytes();
    }

    /**
     * Entries in the branch-point table: children that are not the record after their parent.
     *
     * @return branch entries.
     */
    public long branchEntries()
    {
        return branches.size();
    }

    /**
     * Records ever handed out: one past the highest record index used since the index was created or last emptied.
     * Once it reaches the capacity, new nodes reuse freed records wherever they are, and chains stop being
     * consecutive; {@link IndexCompactor} lays them out afresh.
     *
     * @return the high-water mark of node records, the root included.
     */
    public int recordHighWater()
    {
        return records.highWater();
    }

    /**
     * Most node records, the root included.
     *
     * @return the record capacity.
     */
    public int recordCapacity()
    {
        return records.capacity();
    }

    /**
     * Diagnostic walk, never on the query path: follow a query's leading local hashes down the tree as
     * {@link #findMatches} does, whoever holds the nodes, and count how each step found its child: in the record
     * after its parent's, or through the branch table. Call it on the writer thread or with no writer running.
     *
     * @param localHashes the query's local hashes.
     * @param count       how many leading hashes to follow.
     * @param steps       {@code steps[0]} gains the steps found in the next record, {@code steps[1]} those found
     *                    through the branch table.
     * @return the depth reached: how many leading hashes have a node.
     */
    public int layoutSteps(final long[] localHashes, final int count, final long[] steps)
    {
        int node = NodeRecords.ROOT;
        int depth = 0;
        for (; depth < count; depth++)
        {
            final long localHash = localHashes[depth];
            if (records.isChild(node + 1, node, localHash))
            {
                steps[0]++;
                node = node + 1;
                continue;
            }
            final int child = branches.get(localHash, node);
            if (0 == child || !records.isChild(child, node, localHash))
            {
                break;
            }
            steps[1]++;
            node = child;
        }
        return depth;
    }

    /**
     * Free the event counters when they live in a counters file. The buffers are direct and released by the
     * garbage collector once unreachable, so a query still running on another thread never touches freed memory.
     */
    public void close()
    {
        counters.close();
    }

    /**
     * Capacities of an {@link OffHeapBlockIndex}.
     */
    public static final class Context
    {
        private int maxBlocks = 1 << 20;
        private int maxOwners = 4096;
        private long maxMemberships = -1;
        private long initialTableEntries = -1;
        private EventCounters counters;

        /**
         * Most blocks (tree nodes) the index holds; a Stored needing more is refused.
         *
         * @param maxBlocks node capacity.
         * @return this.
         */
        public Context maxBlocks(final int maxBlocks)
        {
            this.maxBlocks = maxBlocks;
            return this;
        }

        /**
         * Node capacity.
         *
         * @return most blocks.
         */
        public int maxBlocks()
        {
            return maxBlocks;
        }

        /**
         * Most owners {@code (worker, dp rank)} known at once.
         *
         * @param maxOwners owner slots.
         * @return this.
         */
        public Context maxOwners(final int maxOwners)
        {
            this.maxOwners = maxOwners;
            return this;
        }

        /**
         * Owner slots.
         *
         * @return most owners.
         */
        public int maxOwners()
        {
            return maxOwners;
        }

        /**
         * Most (owner, block) pairs; the tables holding them grow on demand up to this.
         *
         * @param maxMemberships membership capacity; default 64 per block.
         * @return this.
         */
        public Context maxMemberships(final long maxMemberships)
        {
            this.maxMemberships = maxMemberships;
            return this;
        }

        /**
         * Membership capacity.
         *
         * @return most memberships.
         */
        public long maxMemberships()
        {
            return maxMemberships;
        }

        /**
         * Entries each table is sized for at start; they grow when needed.
         *
         * @param entries initial entries; default a sixteenth of the block capacity.
         * @return this.
         */
        public Context initialTableEntries(final long entries)
        {
            this.initialTableEntries = entries;
            return this;
        }

        /**
         * Initial table entries.
         *
         * @return entries.
         */
        public long initialTableEntries()
        {
            return initialTableEntries;
        }

        /**
         * Where the index counts applied events; the index closes them with itself.
         *
         * @param counters the counters, e.g. in a counters file; fresh private ones when unset.
         * @return this.
         */
        public Context counters(final EventCounters counters)
        {
            this.counters = counters;
            return this;
        }

        /**
         * Where the index counts applied events.
         *
         * @return the counters.
         */
        public EventCounters counters()
        {
            return counters;
        }

        /**
         * Validate and fill defaults; runs once, from the index's constructor.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (maxBlocks < 1 || (long)(maxBlocks + 1) * NodeRecords.RECORD_LENGTH > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException("maxBlocks must be in [1, " +
                    (Integer.MAX_VALUE / NodeRecords.RECORD_LENGTH - 1) + "]: " + maxBlocks);
            }
            if (maxOwners < 1 || maxOwners > (1 << 20))
            {
                throw new IllegalArgumentException("maxOwners must be in [1, 1048576]: " + maxOwners);
            }
            if (maxMemberships < 0)
            {
                maxMemberships = 64L * maxBlocks;
            }
            if (initialTableEntries < 0)
            {
                initialTableEntries = Math.max(1024, maxBlocks / 16);
            }
            if (null == counters)
            {
                counters = new EventCounters();
            }
            return this;
        }
    }
}
