package io.kvindex.index;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compares two {@link BlockIndex} instances through their dumps: per owner, the map of engine hash to (parent
 * engine hash or root, local hash), plus tree sizes and owner counts. Reports a readable diff on mismatch.
 */
public final class IndexEquivalence
{
    private static final int MAX_DIFF_LINES = 40;

    private IndexEquivalence()
    {
    }

    /**
     * Assert both indexes hold the same blocks under the same engine hashes, report the same tree sizes and know
     * the same number of owners.
     *
     * @param expected the index taken as right, e.g. the reference.
     * @param actual   the index under test.
     */
    public static void assertEquivalent(final BlockIndex expected, final BlockIndex actual)
    {
        failOnDiff("", diff(expected, actual, true));
    }

    /**
     * As {@link #assertEquivalent(BlockIndex, BlockIndex)}, with a context (e.g. seed and operation) in the message.
     *
     * @param expected the index taken as right.
     * @param actual   the index under test.
     * @param context  what the failure message starts with.
     */
    public static void assertEquivalent(final BlockIndex expected, final BlockIndex actual, final String context)
    {
        failOnDiff(context + " ", diff(expected, actual, true));
    }

    /**
     * Assert both indexes hold the same blocks and report the same tree sizes, ignoring owners that hold nothing
     * (a dump cannot carry those, so an index rebuilt from a dump does not know them).
     *
     * @param expected the index taken as right.
     * @param actual   the index under test.
     */
    public static void assertSameBlocks(final BlockIndex expected, final BlockIndex actual)
    {
        failOnDiff("", diff(expected, actual, false));
    }

    /**
     * The differences between two indexes, one per line, or an empty list when they are equivalent.
     *
     * @param expected          the index taken as right.
     * @param actual            the index under test.
     * @param compareOwnerCount whether {@link BlockIndex#ownerCount()} must agree too.
     * @return readable difference lines.
     */
    public static List<String> diff(final BlockIndex expected, final BlockIndex actual, final boolean compareOwnerCount)
    {
        final List<String> lines = new ArrayList<>();
        final Map<OwnerId, Map<Long, Block>> formA = canonicalForm(expected, "expected", lines);
        final Map<OwnerId, Map<Long, Block>> formB = canonicalForm(actual, "actual", lines);
        if (compareOwnerCount && expected.ownerCount() != actual.ownerCount())
        {
            lines.add("ownerCount: expected " + expected.ownerCount() + ", actual " + actual.ownerCount());
        }

        final Set<OwnerId> owners = new TreeSet<>(formA.keySet());
        owners.addAll(formB.keySet());
        for (final OwnerId owner : owners)
        {
            final Map<Long, Block> blocksA = formA.getOrDefault(owner, Map.of());
            final Map<Long, Block> blocksB = formB.getOrDefault(owner, Map.of());
            final Set<Long> hashes = new TreeSet<>(Long::compareUnsigned);
            hashes.addAll(blocksA.keySet());
            hashes.addAll(blocksB.keySet());
            for (final Long hash : hashes)
            {
                final Block a = blocksA.get(hash);
                final Block b = blocksB.get(hash);
                if (null == a || !a.equals(b))
                {
                    lines.add(owner + " engine " + Long.toHexString(hash) + ": expected " + a + ", actual " + b);
                }
            }
            final long sizeA = expected.treeSize(owner.workerId(), owner.dpRank());
            final long sizeB = actual.treeSize(owner.workerId(), owner.dpRank());
            if (sizeA != blocksA.size() || sizeB != blocksB.size())
            {
                lines.add(owner + " treeSize: expected " + sizeA + " (dumped " + blocksA.size() + "), actual " +
                    sizeB + " (dumped " + blocksB.size() + ")");
            }
        }

        return lines;
    }

    /**
     * The canonical form of an index built from its dump: owner to engine hash to block.
     *
     * @param index the index.
     * @return owners in order, each with its blocks by engine hash.
     */
    public static Map<OwnerId, Map<Long, Block>> canonicalForm(final BlockIndex index)
    {
        final List<String> errors = new ArrayList<>();
        final Map<OwnerId, Map<Long, Block>> form = canonicalForm(index, "index", errors);
        failOnDiff("", errors);
        return form;
    }

    private static Map<OwnerId, Map<Long, Block>> canonicalForm(
        final BlockIndex index, final String name, final List<String> errors)
    {
        final Map<OwnerId, Map<Long, Block>> form = new TreeMap<>();
        final Map<OwnerId, Set<Block>> seen = new TreeMap<>();
        index.dump((workerId, dpRank, hasParent, parentEngineHash, engineHashes, localHashes, count) ->
        {
            final OwnerId owner = new OwnerId(workerId, dpRank);
            final Map<Long, Block> blocks = form.computeIfAbsent(owner, (o) -> new TreeMap<>(Long::compareUnsigned));
            final Set<Block> distinct = seen.computeIfAbsent(owner, (o) -> new HashSet<>());
            if (hasParent && !blocks.containsKey(parentEngineHash))
            {
                errors.add(name + " dump: " + owner + " parent " + Long.toHexString(parentEngineHash) +
                    " not dumped before its children");
            }
            for (int i = 0; i < count; i++)
            {
                final Block block = i > 0 ? new Block(true, engineHashes[i - 1], localHashes[i]) :
                    new Block(hasParent, hasParent ? parentEngineHash : 0, localHashes[i]);
                if (null != blocks.put(engineHashes[i], block))
                {
                    errors.add(name + " dump: " + owner + " engine " + Long.toHexString(engineHashes[i]) + " twice");
                }
                if (!distinct.add(block))
                {
                    errors.add(name + " dump: " + owner + " holds " + block + " under two engine hashes");
                }
            }
        });
        return form;
    }

    private static void failOnDiff(final String context, final List<String> lines)
    {
        if (!lines.isEmpty())
        {
            final StringBuilder sb = new StringBuilder(context)
                .append("indexes differ in ").append(lines.size()).append(" places:");
            for (int i = 0; i < Math.min(lines.size(), MAX_DIFF_LINES); i++)
            {
                sb.append(System.lineSeparator()).append("  ").append(lines.get(i));
            }
            if (lines.size() > MAX_DIFF_LINES)
            {
                sb.append(System.lineSeparator()).append("  ...");
            }
            fail(sb.toString());
        }
    }

    /**
     * A cache owner, ordered by unsigned worker id then dp rank.
     *
     * @param workerId the worker id.
     * @param dpRank   the dp rank.
     */
    public record OwnerId(long workerId, int dpRank) implements Comparable<OwnerId>
    {
        @Override
        public int compareTo(final OwnerId other)
        {
            final int byWorker = Long.compareUnsigned(workerId, other.workerId);
            return 0 != byWorker ? byWorker : Integer.compare(dpRank, other.dpRank);
        }

        @Override
        public String toString()
        {
            return "owner " + Long.toUnsignedString(workerId) + "/" + dpRank;
        }
    }

    /**
     * One block of an owner: where it hangs (the owner's engine hash of its parent, or the root) and its local hash.
     *
     * @param hasParent        false when the block hangs under the root.
     * @param parentEngineHash the owner's engine hash of the parent block, 0 under the root.
     * @param localHash        the block's local hash.
     */
    public record Block(boolean hasParent, long parentEngineHash, long localHash)
    {
        @Override
        public String toString()
        {
            return "(parent " + (hasParent ? Long.toHexString(parentEngineHash) : "root") + ", local " +
                Long.toHexString(localHash) + ")";
        }
    }
}
