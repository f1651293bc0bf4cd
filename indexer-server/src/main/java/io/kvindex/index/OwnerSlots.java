package io.kvindex.index;

import org.agrona.BitUtil;

import java.util.Arrays;

/**
 * Dense slots for cache owners {@code (workerId, dpRank)}: the bit an owner has in every node's membership.
 * Freed slots are reused, lowest first. Per-slot state (identity, tree size) lives in primitive arrays that
 * readers may read while the single writer updates them.
 */
final class OwnerSlots
{
    static final int NO_SLOT = -1;

    private final long[] slotWorker;
    private final int[] slotDpRank;
    private final long[] treeSize;
    private final boolean[] inUse;
    private final long[] keyWorker;
    private final int[] keyDpRank;
    private final int[] keySlot;
    private final int mask;
    private int count;
    private volatile int highestSlot = -1;

    OwnerSlots(final int maxOwners)
    {
        slotWorker = new long[maxOwners];
        slotDpRank = new int[maxOwners];
        treeSize = new long[maxOwners];
        inUse = new boolean[maxOwners];
        final int tableSize = BitUtil.findNextPositivePowerOfTwo(maxOwners * 2);
        keyWorker = new long[tableSize];
        keyDpRank = new int[tableSize];
        keySlot = new int[tableSize];
        Arrays.fill(keySlot, NO_SLOT);
        mask = tableSize - 1;
    }

    int maxOwners()
    {
        return slotWorker.length;
    }

    int count()
    {
        return count;
    }

    /**
     * One more than the highest slot ever in use since the last reset; readers scan up to it.
     */
    int slotLimit()
    {
        return highestSlot + 1;
    }

    int find(final long workerId, final int dpRank)
    {
        int index = home(workerId, dpRank);
        while (true)
        {
            final int slot = keySlot[index];
            if (NO_SLOT == slot)
            {
                return NO_SLOT;
            }
            if (keyWorker[index] == workerId && keyDpRank[index] == dpRank)
            {
                return slot;
            }
            index = (index + 1) & mask;
        }
    }

    /**
     * Add an owner known to be absent.
     *
     * @return its slot, or {@link #NO_SLOT} when every slot is taken.
     */
    int add(final long workerId, final int dpRank)
    {
        if (count == slotWorker.length)
        {
            return NO_SLOT;
        }
        int slot = 0;
        while (inUse[slot])
        {
            slot++;
        }
        inUse[slot] = true;
        slotWorker[slot] = workerId;
        slotDpRank[slot] = dpRank;
        treeSize[slot] = 0;
        int index = home(workerId, dpRank);
        while (NO_SLOT != keySlot[index])
        {
            index = (index + 1) & mask;
        }
        keyWorker[index] = workerId;
        keyDpRank[index] = dpRank;
        keySlot[index] = slot;
        count++;
        if (slot > highestSlot)
        {
            highestSlot = slot;
        }
        return slot;
    }

    /**
     * Forget an owner whose slot holds no blocks any more.
     */
    void remove(final int slot)
    {
        final long workerId = slotWorker[slot];
        final int dpRank = slotDpRank[slot];
        int index = home(workerId, dpRank);
        while (keySlot[index] != slot)
        {
            index = (index + 1) & mask;
        }
        int hole = index;
        index = (index + 1) & mask;
        while (NO_SLOT != keySlot[index])
        {
            final int home = home(keyWorker[index], keyDpRank[index]);
            if (((index - home) & mask) >= ((index - hole) & mask))
            {
                keyWorker[hole] = keyWorker[index];
                keyDpRank[hole] = keyDpRank[index];
                keySlot[hole] = keySlot[index];
                hole = index;
            }
            index = (index + 1) & mask;
        }
        keySlot[hole] = NO_SLOT;
        inUse[slot] = false;
        count--;
    }

    boolean inUse(final int slot)
    {
        return inUse[slot];
    }

    long workerId(final int slot)
    {
        return slotWorker[slot];
    }

    int dpRank(final int slot)
    {
        return slotDpRank[slot];
    }

    long treeSize(final int slot)
    {
        return treeSize[slot];
    }

    void addTreeSize(final int slot, final long delta)
    {
        treeSize[slot] += delta;
    }

    private int home(final long workerId, final int dpRank)
    {
        long h = (workerId * 0x9E3779B97F4A7C15L) ^ (dpRank * 0xC2B2AE3D27D4EB4FL);
        h ^= h >>> 31;
        return (int)h & mask;
    }
}
