package io.kvindex.perf;

import java.util.Arrays;

/**
 * The workload's own picture of what the index should hold: a tree of prefix nodes (parent, local hash, depth)
 * and, per node, the set of owners holding it as a bitset of up to 64 owners. Used to generate events that are
 * valid by construction and to know every query's expected answer without asking an index.
 */
final class PrefixModel
{
    static final int NO_PARENT = -1;
    static final int MAX_OWNERS = 64;

    private int[] parents;
    private int[] depths;
    private long[] localHashes;
    private long[] ownerBits;
    private final long[] treeSizes;
    private int size;
    private long liveNodes;
    private long memberships;

    PrefixModel(final int owners, final int initialCapacity)
    {
        if (owners < 1 || owners > MAX_OWNERS)
        {
            throw new IllegalArgumentException("owners must be in 1.." + MAX_OWNERS + ": " + owners);
        }
        parents = new int[initialCapacity];
        depths = new int[initialCapacity];
        localHashes = new long[initialCapacity];
        ownerBits = new long[initialCapacity];
        treeSizes = new long[owners];
    }

    int addNode(final int parent, final long localHash)
    {
        if (size == parents.length)
        {
            final int capacity = size + (size >> 1) + 16;
            parents = Arrays.copyOf(parents, capacity);
            depths = Arrays.copyOf(depths, capacity);
            localHashes = Arrays.copyOf(localHashes, capacity);
            ownerBits = Arrays.copyOf(ownerBits, capacity);
        }
        final int node = size++;
        parents[node] = parent;
        depths[node] = NO_PARENT == parent ? 1 : depths[parent] + 1;
        localHashes[node] = localHash;
        return node;
    }

    int size()
    {
        return size;
    }

    int parent(final int node)
    {
        return parents[node];
    }

    int depth(final int node)
    {
        return depths[node];
    }

    long localHash(final int node)
    {
        return localHashes[node];
    }

    long ownerBits(final int node)
    {
        return ownerBits[node];
    }

    boolean holds(final int node, final int owner)
    {
        return 0 != (ownerBits[node] & (1L << owner));
    }

    void hold(final int node, final int owner)
    {
        final long bits = ownerBits[node];
        final long bit = 1L << owner;
        if (0 == (bits & bit))
        {
            if (0 == bits)
            {
                liveNodes++;
            }
            ownerBits[node] = bits | bit;
            memberships++;
            treeSizes[owner]++;
        }
    }

    /**
     * Nodes held by at least one owner: what the index should count as blocks.
     */
    long liveNodes()
    {
        return liveNodes;
    }

    long memberships()
    {
        return memberships;
    }

    long treeSize(final int owner)
    {
        return treeSizes[owner];
    }

    /**
     * The path from the root to a node, root first.
     *
     * @return its length, the node's depth.
     */
    int path(final int node, final int[] out)
    {
        int n = node;
        for (int i = depths[node] - 1; i >= 0; i--)
        {
            out[i] = n;
            n = parents[n];
        }
        return depths[node];
    }

    /**
     * How many leading nodes of a path an owner holds.
     */
    int matched(final int[] path, final int count, final int owner)
    {
        final long bit = 1L << owner;
        int i = 0;
        while (i < count && 0 != (ownerBits[path[i]] & bit))
        {
            i++;
        }
        return i;
    }

    /**
     * How many leading nodes of a path at least one owner holds: the blocks a query walks.
     */
    int walked(final int[] path, final int count)
    {
        long mask = -1L;
        int i = 0;
        while (i < count)
        {
            mask &= ownerBits[path[i]];
            if (0 == mask)
            {
                break;
            }
            i++;
        }
        return i;
    }

    int randomHolder(final int node, final int draw)
    {
        long bits = ownerBits[node];
        for (int k = Math.floorMod(draw, Long.bitCount(bits)); k > 0; k--)
        {
            bits &= bits - 1;
        }
        return Long.numberOfTrailingZeros(bits);
    }
}
