package io.kvindex.perf;

import io.kvindex.index.BlockIndex;
import io.kvindex.index.DumpListener;
import io.kvindex.index.EventStatus;
import io.kvindex.index.OverlapScores;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;

/**
 * TEMPORARY, delete when {@code ReferenceBlockIndex} and {@code OffHeapBlockIndex} land: a plain on-heap tree of
 * HashMaps, only so that perf compiles and its benchmarks can be tried before the real indexes exist. At most
 * 64 owners; not thread safe; allocates on every path.
 */
final class TemporaryMapIndex implements BlockIndex
{
    private static final class Node
    {
        final Node parent;
        final long localHash;
        HashMap<Long, Node> children;
        long owners;

        Node(final Node parent, final long localHash)
        {
            this.parent = parent;
            this.localHash = localHash;
        }
    }

    private static final class Owner
    {
        final long workerId;
        final int dpRank;
        final int slot;
        final HashMap<Long, Node> byEngineHash = new HashMap<>();
        final IdentityHashMap<Node, Long> engineHashOf = new IdentityHashMap<>();

        Owner(final long workerId, final int dpRank, final int slot)
        {
            this.workerId = workerId;
            this.dpRank = dpRank;
            this.slot = slot;
        }
    }

    private final long maxBlocks;
    private final Node root = new Node(null, 0);
    private final Owner[] slots = new Owner[PrefixModel.MAX_OWNERS];
    private final int[] depths = new int[PrefixModel.MAX_OWNERS];
    private long liveBlocks;
    private long memberships;

    TemporaryMapIndex(final long maxBlocks)
    {
        this.maxBlocks = maxBlocks;
    }

    @Override
    public int store(
        final long workerId,
        final int dpRank,
        final boolean hasParent,
        final long parentEngineHash,
        final long[] engineHashes,
        final long[] localHashes,
        final int count)
    {
        final Owner owner = owner(workerId, dpRank, true);
        if (null == owner || liveBlocks + count > maxBlocks)
        {
            return EventStatus.CAPACITY_EXCEEDED;
        }
        Node node = hasParent ? owner.byEngineHash.get(parentEngineHash) : root;
        if (null == node)
        {
            return EventStatus.PARENT_BLOCK_NOT_FOUND;
        }
        final long bit = 1L << owner.slot;
        for (int i = 0; i < count; i++)
        {
            if (null == node.children)
            {
                node.children = new HashMap<>();
            }
            final Node parent = node;
            node = node.children.computeIfAbsent(localHashes[i], (h) -> new Node(parent, h));
            final Node known = owner.byEngineHash.get(engineHashes[i]);
            if (null != known || 0 != (node.owners & bit))
            {
                if (known == node)
                {
                    continue;
                }
                prune(node);
                return EventStatus.INVALID_BLOCK;
            }
            liveBlocks += 0 == node.owners ? 1 : 0;
            node.owners |= bit;
            memberships++;
            owner.byEngineHash.put(engineHashes[i], node);
            owner.engineHashOf.put(node, engineHashes[i]);
        }
        return EventStatus.OK;
    }

    @Override
    public int remove(final long workerId, final int dpRank, final long[] engineHashes, final int count)
    {
        final Owner owner = owner(workerId, dpRank, false);
        int status = EventStatus.OK;
        for (int i = 0; i < count; i++)
        {
            final Node node = null == owner ? null : owner.byEngineHash.get(engineHashes[i]);
            if (null == node)
            {
                status = EventStatus.BLOCK_NOT_FOUND;
            }
            else
            {
                drop(owner, node);
            }
        }
        return status;
    }

    @Override
    public int clear(final long workerId)
    {
        for (final Owner owner : slots)
        {
            if (null != owner && owner.workerId == workerId)
            {
                dropAll(owner);
            }
        }
        return EventStatus.OK;
    }

    @Override
    public int removeWorker(final long workerId)
    {
        for (final Owner owner : slots)
        {
            if (null != owner && owner.workerId == workerId)
            {
                dropAll(owner);
                slots[owner.slot] = null;
            }
        }
        return EventStatus.OK;
    }

    @Override
    public int removeWorker(final long workerId, final int dpRank)
    {
        final Owner owner = owner(workerId, dpRank, false);
        if (null != owner)
        {
            dropAll(owner);
            slots[owner.slot] = null;
        }
        return EventStatus.OK;
    }

    @Override
    public void findMatches(final long[] localHashes, final int count, final OverlapScores scores)
    {
        scores.reset();
        Node node = root;
        long mask = -1L;
        int depth = 0;
        while (depth < count && null != node.children)
        {
            node = node.children.get(localHashes[depth]);
            final long next = null == node ? 0 : mask & node.owners;
            for (long lost = mask & ~next; 0 != lost && depth > 0; lost &= lost - 1)
            {
                depths[Long.numberOfTrailingZeros(lost)] = depth;
            }
            mask = next;
            if (0 == mask)
            {
                break;
            }
            depth++;
        }
        for (long left = 0 == depth ? 0 : mask; 0 != left; left &= left - 1)
        {
            depths[Long.numberOfTrailingZeros(left)] = depth;
        }
        for (final Owner owner : slots)
        {
            if (null != owner && depths[owner.slot] > 0)
            {
                scores.add(owner.workerId, owner.dpRank, depths[owner.slot], owner.byEngineHash.size());
                depths[owner.slot] = 0;
            }
        }
    }

    @Override
    public long treeSize(final long workerId, final int dpRank)
    {
        final Owner owner = owner(workerId, dpRank, false);
        return null == owner ? 0 : owner.byEngineHash.size();
    }

    @Override
    public int ownerCount()
    {
        int count = 0;
        for (final Owner owner : slots)
        {
            count += null == owner ? 0 : 1;
        }
        return count;
    }

    @Override
    public void dump(final DumpListener listener)
    {
        final long[] engine = new long[1];
        final long[] local = new long[1];
        final ArrayDeque<Node> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty())
        {
            final Node node = stack.pop();
            if (null != node.children)
            {
                node.children.values().forEach(stack::push);
            }
            for (long bits = node.owners; 0 != bits; bits &= bits - 1)
            {
                final Owner owner = slots[Long.numberOfTrailingZeros(bits)];
                final Long parentHash = node.parent == root ? null : owner.engineHashOf.get(node.parent);
                engine[0] = owner.engineHashOf.get(node);
                local[0] = node.localHash;
                listener.onStored(owner.workerId, owner.dpRank, null != parentHash,
                    null == parentHash ? 0 : parentHash, engine, local, 1);
            }
        }
    }

    @Override
    public void close()
    {
        for (final Owner owner : slots)
        {
            if (null != owner)
            {
                removeWorker(owner.workerId, owner.dpRank);
            }
        }
    }

    /**
     * Distinct blocks held.
     *
     * @return nodes held by at least one owner.
     */
    public long liveBlocks()
    {
        return liveBlocks;
    }

    /**
     * (owner, block) pairs held.
     *
     * @return memberships.
     */
    public long memberships()
    {
        return memberships;
    }

    private Owner owner(final long workerId, final int dpRank, final boolean create)
    {
        int free = -1;
        for (int s = 0; s < slots.length; s++)
        {
            final Owner owner = slots[s];
            if (null == owner)
            {
                free = -1 == free ? s : free;
            }
            else if (owner.workerId == workerId && owner.dpRank == dpRank)
            {
                return owner;
            }
        }
        if (!create || -1 == free)
        {
            return null;
        }
        slots[free] = new Owner(workerId, dpRank, free);
        return slots[free];
    }

    private void dropAll(final Owner owner)
    {
        for (final Node node : new ArrayList<>(owner.engineHashOf.keySet()))
        {
            if (0 != (node.owners & (1L << owner.slot)))
            {
                drop(owner, node);
            }
        }
    }

    private void drop(final Owner owner, final Node node)
    {
        final long bit = 1L << owner.slot;
        if (null != node.children)
        {
            for (final Node child : new ArrayList<>(node.children.values()))
            {
                if (0 != (child.owners & bit))
                {
                    drop(owner, child);
                }
            }
        }
        node.owners &= ~bit;
        memberships--;
        owner.byEngineHash.remove(owner.engineHashOf.remove(node));
        liveBlocks -= 0 == node.owners ? 1 : 0;
        prune(node);
    }

    private void prune(final Node node)
    {
        Node n = node;
        while (n != root && 0 == n.owners && (null == n.children || n.children.isEmpty()))
        {
            n.parent.children.remove(n.localHash);
            n = n.parent;
        }
    }
}
