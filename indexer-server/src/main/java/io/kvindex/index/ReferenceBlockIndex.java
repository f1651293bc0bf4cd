package io.kvindex.index;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain on-heap {@link BlockIndex} of maps and sets: the oracle the off-heap index is tested against and the
 * baseline of benchmarks. Not thread safe: every call, queries included, must come from one thread.
 */
public final class ReferenceBlockIndex implements BlockIndex
{
    private final int maxBlocks;
    private final int maxOwners;
    private final Node root = new Node(0, null);
    private final Map<Long, Map<Integer, Owner>> workers = new HashMap<>();
    private final ArrayList<Node> path = new ArrayList<>();
    private int nodeCount;
    private int ownerCount;

    /**
     * An index without limits on blocks or owners.
     */
    public ReferenceBlockIndex()
    {
        this(Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * An index of at most {@code maxBlocks} tree nodes and any number of owners.
     *
     * @param maxBlocks the most nodes the tree may hold; a node shared by several owners counts once.
     */
    public ReferenceBlockIndex(final int maxBlocks)
    {
        this(maxBlocks, Integer.MAX_VALUE);
    }

    /**
     * An index of at most {@code maxBlocks} tree nodes and {@code maxOwners} known owners.
     *
     * @param maxBlocks the most nodes the tree may hold; a node shared by several owners counts once.
     * @param maxOwners the most owners {@code (workerId, dpRank)} the index may know at once.
     */
    public ReferenceBlockIndex(final int maxBlocks, final int maxOwners)
    {
        if (maxBlocks < 0 || maxOwners < 0)
        {
            throw new IllegalArgumentException("maxBlocks=" + maxBlocks + ", maxOwners=" + maxOwners);
        }
        this.maxBlocks = maxBlocks;
        this.maxOwners = maxOwners;
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
        Owner owner = owner(workerId, dpRank);
        Node node = root;
        if (hasParent)
        {
            node = null == owner ? null : owner.blocks.get(parentEngineHash);
            if (null == node)
            {
                return EventStatus.PARENT_BLOCK_NOT_FOUND;
            }
        }
        if (0 == count)
        {
            return EventStatus.OK;
        }
        final boolean ownersFull = null == owner && ownerCount >= maxOwners;
        if (ownersFull || missingNodes(node, localHashes, count) > maxBlocks - nodeCount)
        {
            return EventStatus.CAPACITY_EXCEEDED;
        }
        if (null == owner)
        {
            owner = new Owner(workerId, dpRank);
            workers.computeIfAbsent(workerId, (w) -> new HashMap<>()).put(dpRank, owner);
            ownerCount++;
        }

        for (int i = 0; i < count; i++)
        {
            final long engineHash = engineHashes[i];
            Node child = node.child(localHashes[i]);
            final Node existing = owner.blocks.get(engineHash);
            if (null != existing && existing != child)
            {
                return EventStatus.INVALID_BLOCK;
            }
            if (null == existing)
            {
                if (null != child && child.owners.containsKey(owner))
                {
                    return EventStatus.INVALID_BLOCK;
                }
                if (null == child)
                {
                    child = node.addChild(localHashes[i]);
                    nodeCount++;
                }
                child.owners.put(owner, engineHash);
                owner.blocks.put(engineHash, child);
            }
            node = child;
        }

        return EventStatus.OK;
    }

    @Override
    public int remove(final long workerId, final int dpRank, final long[] engineHashes, final int count)
    {
        final Owner owner = owner(workerId, dpRank);
        int status = EventStatus.OK;
        for (int i = 0; i < count; i++)
        {
            if (null == owner || !owner.blocks.containsKey(engineHashes[i]))
            {
                status = EventStatus.BLOCK_NOT_FOUND;
            }
        }
        for (int i = 0; i < count; i++)
        {
            final Node node = null == owner ? null : owner.blocks.get(engineHashes[i]);
            if (null != node)
            {
                final List<Node> held = heldSubtree(owner, node);
                for (int j = held.size() - 1; j >= 0; j--)
                {
                    drop(owner, held.get(j));
                }
            }
        }

        return status;
    }

    @Override
    public int clear(final long workerId)
    {
        final Map<Integer, Owner> dpRanks = workers.get(workerId);
        if (null != dpRanks)
        {
            for (final Owner owner : dpRanks.values())
            {
                dropAll(owner);
            }
        }

        return EventStatus.OK;
    }

    @Override
    public int removeWorker(final long workerId)
    {
        final Map<Integer, Owner> dpRanks = workers.remove(workerId);
        if (null == dpRanks)
        {
            return EventStatus.BLOCK_NOT_FOUND;
        }
        for (final Owner owner : dpRanks.values())
        {
            dropAll(owner);
        }
        ownerCount -= dpRanks.size();

        return EventStatus.OK;
    }

    @Override
    public int removeWorker(final long workerId, final int dpRank)
    {
        final Map<Integer, Owner> dpRanks = workers.get(workerId);
        final Owner owner = null == dpRanks ? null : dpRanks.remove(dpRank);
        if (null == owner)
        {
            return EventStatus.BLOCK_NOT_FOUND;
        }
        if (dpRanks.isEmpty())
        {
            workers.remove(workerId);
        }
        dropAll(owner);
        ownerCount--;

        return EventStatus.OK;
    }

    @Override
    public void findMatches(final long[] localHashes, final int count, final OverlapScores scores)
    {
        scores.reset();
        path.clear();
        Node node = root;
        for (int i = 0; i < count && null != (node = node.child(localHashes[i])); i++)
        {
            path.add(node);
        }
        if (path.isEmpty())
        {
            return;
        }

        for (final Owner owner : path.get(0).owners.keySet())
        {
            int matched = 1;
            while (matched < path.size() && path.get(matched).owners.containsKey(owner))
            {
                matched++;
            }
            scores.add(owner.workerId, owner.dpRank, matched, owner.blocks.size());
        }
    }

    @Override
    public long treeSize(final long workerId, final int dpRank)
    {
        final Owner owner = owner(workerId, dpRank);
        return null == owner ? 0 : owner.blocks.size();
    }

    @Override
    public int ownerCount()
    {
        return ownerCount;
    }

    /**
     * Number of nodes in the tree: each prefix held by at least one owner counts once.
     *
     * @return the nodes counted against {@code maxBlocks}.
     */
    public int nodeCount()
    {
        return nodeCount;
    }

    @Override
    public void dump(final DumpListener listener)
    {
        for (final Map<Integer, Owner> dpRanks : workers.values())
        {
            for (final Owner owner : dpRanks.values())
            {
                dump(owner, heldSubtree(owner, root), listener);
            }
        }
    }

    @Override
    public void close()
    {
        workers.clear();
        root.children = null;
        path.clear();
        nodeCount = 0;
        ownerCount = 0;
    }

    /**
     * Emit an owner's blocks, given in depth-first pre-order after the root, one Stored event per chain run.
     */
    private void dump(final Owner owner, final List<Node> held, final DumpListener listener)
    {
        final long[] engineHashes = new long[held.size()];
        final long[] localHashes = new long[held.size()];
        int count = 0;
        for (int i = 1; i <= held.size(); i++)
        {
            final Node node = i < held.size() ? held.get(i) : null;
            if (count > 0 && (null == node || node.parent != held.get(i - 1)))
            {
                final Node parent = held.get(i - count).parent;
                final boolean hasParent = parent != root;
                listener.onStored(
                    owner.workerId,
                    owner.dpRank,
                    hasParent,
                    hasParent ? parent.owners.get(owner) : 0L,
                    engineHashes,
                    localHashes,
                    count);
                count = 0;
            }
            if (null != node)
            {
                engineHashes[count] = node.owners.get(owner);
                localHashes[count++] = node.localHash;
            }
        }
    }

    private Owner owner(final long workerId, final int dpRank)
    {
        final Map<Integer, Owner> dpRanks = workers.get(workerId);
        return null == dpRanks ? null : dpRanks.get(dpRank);
    }

    private static int missingNodes(final Node from, final long[] localHashes, final int count)
    {
        Node node = from;
        for (int i = 0; i < count; i++)
        {
            node = node.child(localHashes[i]);
            if (null == node)
            {
                return count - i;
            }
        }
        return 0;
    }

    /**
     * The nodes the owner holds in the subtree of {@code top}, {@code top} first, every parent before its children
     * and each first child right after its parent (depth-first pre-order).
     */
    private static List<Node> heldSubtree(final Owner owner, final Node top)
    {
        final ArrayList<Node> held = new ArrayList<>();
        final ArrayDeque<Node> stack = new ArrayDeque<>();
        stack.push(top);
        while (!stack.isEmpty())
        {
            final Node node = stack.pop();
            held.add(node);
            if (null != node.children)
            {
                for (final Node child : node.children.values())
                {
                    if (child.owners.containsKey(owner))
                    {
                        stack.push(child);
                    }
                }
            }
        }
        return held;
    }

    private void dropAll(final Owner owner)
    {
        for (final Node node : new ArrayList<>(owner.blocks.values()))
        {
            drop(owner, node);
        }
    }

    /**
     * The owner stops holding the node; the node leaves the tree when it has no owner left (nor, by prefix
     * closure, any owned descendant).
     */
    private void drop(final Owner owner, final Node node)
    {
        final long engineHash = node.owners.remove(owner);
        owner.blocks.remove(engineHash);
        if (node.owners.isEmpty())
        {
            final Map<Long, Node> siblings = node.parent.children;
            siblings.remove(node.localHash);
            if (siblings.isEmpty())
            {
                node.parent.children = null;
            }
            nodeCount--;
        }
    }

    private static final class Owner
    {
        final long workerId;
        final int dpRank;
        final Map<Long, Node> blocks = new HashMap<>();

        Owner(final long workerId, final int dpRank)
        {
            this.workerId = workerId;
            this.dpRank = dpRank;
        }
    }

    private static final class Node
    {
        final long localHash;
        final Node parent;
        final Map<Owner, Long> owners = new HashMap<>();
        Map<Long, Node> children;

        Node(final long localHash, final Node parent)
        {
            this.localHash = localHash;
            this.parent = parent;
        }

        Node child(final long localHash)
        {
            return null == children ? null : children.get(localHash);
        }

        Node addChild(final long localHash)
        {
            if (null == children)
            {
                children = new HashMap<>();
            }
            final Node child = new Node(localHash, this);
            children.put(localHash, child);
            return child;
        }
    }
}
