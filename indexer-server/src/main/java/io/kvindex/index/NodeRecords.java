package io.kvindex.index;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The index's tree nodes, one fixed-size record each in one direct buffer; record 0 is the root. A stored chain
 * takes consecutive records where it can, so the child of node {@code n} is usually record {@code n + 1}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                   Local Hash (token hash)                     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        Canonical Engine Hash (of the node's first owner)      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            Owner Bits (membership of owner slots 0..63)       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Parent (record index; -1 free; -2 the root)          |
 *  +---------------------------------------------------------------+
 *  |          First Child (0 none; next free when free)            |
 *  +---------------------------------------------------------------+
 *  |                  Next Sibling (0 none)                        |
 *  +---------------------------------------------------------------+
 *  |                  Previous Sibling (0 none)                    |
 *  +---------------------------------------------------------------+
 * </pre>
 * The writer publishes a record by writing its parent last with release semantics; readers read the parent with
 * acquire semantics first and then trust the other fields.
 */
final class NodeRecords
{
    static final int LOCAL_HASH_OFFSET = 0;
    static final int CANONICAL_HASH_OFFSET = 8;
    static final int OWNER_BITS_OFFSET = 16;
    static final int PARENT_OFFSET = 24;
    static final int FIRST_CHILD_OFFSET = 28;
    static final int NEXT_SIBLING_OFFSET = 32;
    static final int PREV_SIBLING_OFFSET = 36;
    static final int RECORD_LENGTH = 40;

    static final int ROOT = 0;
    static final int NONE = 0;
    static final int FREE_PARENT = -1;
    static final int ROOT_PARENT = -2;

    private final UnsafeBuffer buffer;
    private final int capacity;
    private volatile int highWater;
    private int freeHead;
    private int live;

    NodeRecords(final int capacity)
    {
        if (capacity < 2 || (long)capacity * RECORD_LENGTH > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("node capacity out of range: " + capacity);
        }
        this.capacity = capacity;
        this.buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity * RECORD_LENGTH, 64));
        reset();
    }

    /**
     * Forget every node but the root; records are reused from the start again.
     */
    void reset()
    {
        buffer.putLong(LOCAL_HASH_OFFSET, 0L);
        buffer.putLong(OWNER_BITS_OFFSET, -1L);
        buffer.putInt(FIRST_CHILD_OFFSET, NONE);
        buffer.putInt(NEXT_SIBLING_OFFSET, NONE);
        buffer.putInt(PREV_SIBLING_OFFSET, NONE);
        buffer.putIntOrdered(PARENT_OFFSET, ROOT_PARENT);
        freeHead = NONE;
        live = 0;
        highWater = 1;
    }

    int capacity()
    {
        return capacity;
    }

    int live()
    {
        return live;
    }

    int free()
    {
        return capacity - 1 - live;
    }

    int highWater()
    {
        return highWater;
    }

    long reservedBytes()
    {
        return (long)capacity * RECORD_LENGTH;
    }

    /**
     * Whether the next {@code count} allocations come from fresh consecutive records.
     */
    boolean hasConsecutive(final int count)
    {
        return highWater + count <= capacity;
    }

    /**
     * Take a record: the next fresh one while there are any, else a freed one.
     *
     * @return the record index; {@link #free()} must have been checked.
     */
    int allocate()
    {
        final int hw = highWater;
        if (hw < capacity)
        {
            live++;
            return hw;
        }
        final int node = freeHead;
        freeHead = buffer.getInt(node * RECORD_LENGTH + FIRST_CHILD_OFFSET);
        live++;
        return node;
    }

    /**
     * Whether the next {@link #allocate()} reuses a freed record, which readers must be warned of.
     */
    boolean nextAllocationReuses()
    {
        return highWater >= capacity;
    }

    /**
     * Fill a taken record and link it under its parent. The owner bits are set before the record is published.
     */
    void publish(final int node, final int parent, final long localHash, final long canonicalHash, final long bits)
    {
        final int offset = node * RECORD_LENGTH;
        buffer.putLong(offset + LOCAL_HASH_OFFSET, localHash);
        buffer.putLong(offset + CANONICAL_HASH_OFFSET, canonicalHash);
        buffer.putLong(offset + OWNER_BITS_OFFSET, bits);
        buffer.putInt(offset + FIRST_CHILD_OFFSET, NONE);
        final int parentOffset = parent * RECORD_LENGTH;
        final int first = buffer.getInt(parentOffset + FIRST_CHILD_OFFSET);
        buffer.putInt(offset + NEXT_SIBLING_OFFSET, first);
        buffer.putInt(offset + PREV_SIBLING_OFFSET, NONE);
        if (NONE != first)
        {
            buffer.putInt(first * RECORD_LENGTH + PREV_SIBLING_OFFSET, node);
        }
        buffer.putInt(parentOffset + FIRST_CHILD_OFFSET, node);
        buffer.putIntOrdered(offset + PARENT_OFFSET, parent);
        if (node == highWater)
        {
            highWater = node + 1;
        }
    }

    /**
     * Unlink a node from its parent's children and put its record on the free list.
     */
    void release(final int node)
    {
        final int offset = node * RECORD_LENGTH;
        final int parent = buffer.getInt(offset + PARENT_OFFSET);
        final int next = buffer.getInt(offset + NEXT_SIBLING_OFFSET);
        final int prev = buffer.getInt(offset + PREV_SIBLING_OFFSET);
        if (NONE != next)
        {
            buffer.putInt(next * RECORD_LENGTH + PREV_SIBLING_OFFSET, prev);
        }
        if (NONE != prev)
        {
            buffer.putInt(prev * RECORD_LENGTH + NEXT_SIBLING_OFFSET, next);
        }
        else
        {
            buffer.putInt(parent * RECORD_LENGTH + FIRST_CHILD_OFFSET, next);
        }
        buffer.putIntOrdered(offset + PARENT_OFFSET, FREE_PARENT);
        buffer.putInt(offset + FIRST_CHILD_OFFSET, freeHead);
        freeHead = node;
        live--;
    }

    long localHash(final int node)
    {
        return buffer.getLong(node * RECORD_LENGTH + LOCAL_HASH_OFFSET);
    }

    long canonicalHash(final int node)
    {
        return buffer.getLong(node * RECORD_LENGTH + CANONICAL_HASH_OFFSET);
    }

    long ownerBits(final int node)
    {
        return buffer.getLong(node * RECORD_LENGTH + OWNER_BITS_OFFSET);
    }

    long ownerBitsVolatile(final int node)
    {
        return buffer.getLongVolatile(node * RECORD_LENGTH + OWNER_BITS_OFFSET);
    }

    void ownerBitsOrdered(final int node, final long bits)
    {
        buffer.putLongOrdered(node * RECORD_LENGTH + OWNER_BITS_OFFSET, bits);
    }

    int parent(final int node)
    {
        return buffer.getInt(node * RECORD_LENGTH + PARENT_OFFSET);
    }

    int parentVolatile(final int node)
    {
        return buffer.getIntVolatile(node * RECORD_LENGTH + PARENT_OFFSET);
    }

    int firstChild(final int node)
    {
        return buffer.getInt(node * RECORD_LENGTH + FIRST_CHILD_OFFSET);
    }

    int nextSibling(final int node)
    {
        return buffer.getInt(node * RECORD_LENGTH + NEXT_SIBLING_OFFSET);
    }

    /**
     * Reader-safe check that {@code node} is the child of {@code parent} for {@code localHash}.
     */
    boolean isChild(final int node, final int parent, final long localHash)
    {
        return node > 0 && node < highWater &&
            buffer.getIntVolatile(node * RECORD_LENGTH + PARENT_OFFSET) == parent &&
            buffer.getLong(node * RECORD_LENGTH + LOCAL_HASH_OFFSET) == localHash;
    }
}
