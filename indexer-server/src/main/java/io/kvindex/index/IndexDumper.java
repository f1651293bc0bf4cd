package io.kvindex.index;

import org.agrona.collections.IntArrayList;

import java.util.Arrays;

/**
 * Writes an {@link OffHeapBlockIndex} out as Stored events: per owner, one event per chain segment, parents before
 * children. Runs on the writer thread; allocates as chains grow (a dump is not a hot path).
 */
final class IndexDumper
{
    private final NodeRecords records;
    private final OwnerSlots owners;
    private final OffHeapBlockIndex index;
    private final IntArrayList pending = new IntArrayList();
    private long[] engineHashes = new long[64];
    private long[] localHashes = new long[64];

    IndexDumper(final NodeRecords records, final OwnerSlots owners, final OffHeapBlockIndex index)
    {
        this.records = records;
        this.owners = owners;
        this.index = index;
    }

    void dump(final DumpListener listener)
    {
        final int limit = owners.slotLimit();
        for (int slot = 0; slot < limit; slot++)
        {
            if (owners.inUse(slot))
            {
                dumpOwner(slot, listener);
            }
        }
    }

    private void dumpOwner(final int slot, final DumpListener listener)
    {
        pending.clear();
        pushHeldChildren(NodeRecords.ROOT, slot);
        while (!pending.isEmpty())
        {
            final int start = pending.removeAt(pending.size() - 1);
            final int parent = records.parent(start);
            final boolean hasParent = NodeRecords.ROOT != parent;
            final long parentEngineHash = hasParent ? index.engineHash(slot, parent) : 0L;
            int count = 0;
            int node = start;
            while (NodeRecords.NONE != node)
            {
                if (count == engineHashes.length)
                {
                    engineHashes = Arrays.copyOf(engineHashes, count * 2);
                    localHashes = Arrays.copyOf(localHashes, count * 2);
                }
                engineHashes[count] = index.engineHash(slot, node);
                localHashes[count] = records.localHash(node);
                count++;
                final int first = index.firstHeldChild(node, slot);
                if (NodeRecords.NONE != first)
                {
                    int sibling = index.nextHeldSibling(first, slot);
                    while (NodeRecords.NONE != sibling)
                    {
                        pending.addInt(sibling);
                        sibling = index.nextHeldSibling(sibling, slot);
                    }
                }
                node = first;
            }
            listener.onStored(owners.workerId(slot), owners.dpRank(slot), hasParent, parentEngineHash,
                engineHashes, localHashes, count);
        }
    }

    private void pushHeldChildren(final int node, final int slot)
    {
        int child = index.firstHeldChild(node, slot);
        while (NodeRecords.NONE != child)
        {
            pending.addInt(child);
            child = index.nextHeldSibling(child, slot);
        }
    }
}
