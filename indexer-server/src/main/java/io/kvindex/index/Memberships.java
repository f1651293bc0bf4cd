package io.kvindex.index;

/**
 * Which owner slots hold which nodes: slots 0..63 in the node record's owner bits, higher slots in an overflow
 * table keyed by {@code (node, word)} with one 64-bit word per 64 slots. Writes are ordered (release) so that a
 * reader never sees a child's bit before its parent's.
 */
final class Memberships
{
    static final int INLINE_SLOTS = 64;

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
        return !usesOverflow(slot) || overflow.ensureCapacity(additional);
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
        overflow.put(overflowKey(node, slot >>> 6), 1L << slot);
        return 0L;
    }

    void add(final int node, final int slot)
    {
        if (slot < INLINE_SLOTS)
        {
            records.ownerBitsOrdered(node, records.ownerBits(node) | (1L << slot));
        }
        else
        {
            final long key = overflowKey(node, slot >>> 6);
            overflow.put(key, overflow.get(key, 0L) | (1L << slot));
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
            return 0L == bits && noOverflow(node);
        }
        final long key = overflowKey(node, slot >>> 6);
        final long word = overflow.get(key, 0L) & ~(1L << slot);
        if (0L == word)
        {
            overflow.remove(key, 0L);
            return 0L == records.ownerBits(node) && noOverflow(node);
        }
        overflow.put(key, word);
        return false;
    }

    /**
     * Reader-side read of one membership word of a node.
     */
    long wordConcurrent(final int node, final int word)
    {
        return 0 == word ? records.ownerBitsVolatile(node) : overflow.getConcurrent(overflowKey(node, word), 0L);
    }

    private boolean noOverflow(final int node)
    {
        final int words = (owners.slotLimit() + 63) >>> 6;
        for (int word = 1; word < words; word++)
        {
            if (0L != overflow.get(overflowKey(node, word), 0L))
            {
                return false;
            }
        }
        return true;
    }
}
