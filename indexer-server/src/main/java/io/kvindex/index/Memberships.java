package io.kvindex.index;

/**
 * Which owner slots hold which nodes: slots 0..63 in the node record's owner bits, higher slots in an overflow
 * table keyed by {@code (node, word)} with one 64-bit word per 64 slots. Key {@code (node, 0)} of the same table,
 * never a membership word since word 0 is inline, holds the node's word summary: bit {@code w & 63} is set while
 * some word {@code w} of the node is present, so a reader visits only the words that exist. Writes are ordered
 * (release) so that a reader never sees a child's bit before its parent's.
 */
final class Memberships
{
    static final int INLINE_SLOTS = 64;
    static final int SUMMARY_WORD = 0;

    private final NodeRecords records;
    private final LongLongTable overflow;
    private final OwnerSlots owners;

    Memberships(final NodeRecords records, final LongLongTable overflow, final OwnerSlots owners)
    {
        this.records = records;
        this.overflow = overflow;
        this.owners = owners;
    }

    static long overflowKey(final int node, final int word)
    {
        return ((long)node << 16) | word;
    }

    /**
     * Whether an insert for {@code slot} may need an overflow word.
     */
    static boolean usesOverflow(final int slot)
    {
        return slot >= INLINE_SLOTS;
    }

    long size()
    {
        return overflow.size();
    }

    boolean ensureCapacity(final int slot, final int additional)
    {
        return !usesOverflow(slot) || overflow.ensureCapacity(2 * additional);
    }

    boolean has(final int node, final int slot)
    {
        if (slot < INLINE_SLOTS)
        {
            return 0 != (records.ownerBits(node) & (1L << slot));
        }
        return 0 != (overflow.get(overflowKey(node, slot >>> 6), 0L) & (1L << slot));
    }

    /**
     * Inline bits a new node starts with for its first owner; an overflow owner's word is written here too.
     */
    long initialBits(final int node, final int slot)
    {
        if (slot < INLINE_SLOTS)
        {
            return 1L << slot;
        }
        final int word = slot >>> 6;
        overflow.put(overflowKey(node, word), 1L << slot);
        overflow.put(overflowKey(node, SUMMARY_WORD), 1L << (word & 63));
        return 0L;
    }

    void add(final int node, final int slot)
    {
        if (slot < INLINE_SLOTS)
        {
            records.ownerBitsOrdered(node, records.ownerBits(node) | (1L << slot));
            return;
        }
        final int word = slot >>> 6;
        final long key = overflowKey(node, word);
        final long bits = overflow.get(key, 0L);
        overflow.put(key, bits | (1L << slot));
        if (0L == bits)
        {
            final long summaryKey = overflowKey(node, SUMMARY_WORD);
            overflow.put(summaryKey, overflow.get(summaryKey, 0L) | (1L << (word & 63)));
        }
    }

    /**
     * Drop a slot from a node.
     *
     * @return true when no owner holds the node any more.
     */
    boolean remove(final int node, final int slot)
    {
        if (slot < INLINE_SLOTS)
        {
            final long bits = records.ownerBits(node) & ~(1L << slot);
            records.ownerBitsOrdered(node, bits);
            return 0L == bits && 0L == overflow.get(overflowKey(node, SUMMARY_WORD), 0L);
        }
        final int word = slot >>> 6;
        final long key = overflowKey(node, word);
        final long bits = overflow.get(key, 0L) & ~(1L << slot);
        if (0L != bits)
        {
            overflow.put(key, bits);
            return false;
        }
        overflow.remove(key, 0L);
        final long summary = dropFromSummary(node, word);
        return 0L == summary && 0L == records.ownerBits(node);
    }

    /**
     * Number of membership words a reader must consider for the owner slots in use.
     */
    int wordLimit()
    {
        return (owners.slotLimit() + 63) >>> 6;
    }

    /**
     * Reader-side read of one membership word of a node ({@link #SUMMARY_WORD} reads the inline bits).
     */
    long wordConcurrent(final int node, final int word)
    {
        return 0 == word ? records.ownerBitsVolatile(node) : overflow.getConcurrent(overflowKey(node, word), 0L);
    }

    /**
     * Reader-side read of a node's word summary.
     */
    long summaryConcurrent(final int node)
    {
        return overflow.getConcurrent(overflowKey(node, SUMMARY_WORD), 0L);
    }

    private long dropFromSummary(final int node, final int word)
    {
        final long summaryKey = overflowKey(node, SUMMARY_WORD);
        final int bit = word & 63;
        final int words = wordLimit();
        for (int other = bit; other < words; other += 64)
        {
            if (other != word && other != SUMMARY_WORD && 0L != overflow.get(overflowKey(node, other), 0L))
            {
                return overflow.get(summaryKey, 0L);
            }
        }
        final long summary = overflow.get(summaryKey, 0L) & ~(1L << bit);
        if (0L == summary)
        {
            overflow.remove(summaryKey, 0L);
        }
        else
        {
            overflow.put(summaryKey, summary);
        }
        return summary;
    }
}
