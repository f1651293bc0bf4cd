package io.kvindex.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.kvindex.index.OverlapScores;

import java.io.IOException;

/**
 * Writes overlap scores as Dynamo's standalone indexer does: {@code {"scores": {"<instance_id>": {"<dp_rank>":
 * matched_tokens}}, "frequencies": [], "tree_sizes": {"<instance_id>": {"<dp_rank>": blocks}}}}, keys as strings,
 * scores in tokens (matched blocks × block size), instance ids unsigned. Owners are sorted by worker id, then dp
 * rank, so that the ranks of one worker share one object.
 */
final class ScoresJsonWriter
{
    private ScoresJsonWriter()
    {
    }

    static void write(
        final JsonGenerator generator, final OverlapScores scores, final int blockSize, final int[] order)
        throws IOException
    {
        final int size = scores.size();
        for (int i = 0; i < size; i++)
        {
            order[i] = i;
        }
        sort(scores, order, size);
        generator.writeStartObject();
        generator.writeFieldName("scores");
        writeOwners(generator, scores, order, size, blockSize);
        generator.writeArrayFieldStart("frequencies");
        generator.writeEndArray();
        generator.writeFieldName("tree_sizes");
        writeOwners(generator, scores, order, size, 0);
        generator.writeEndObject();
    }

    /**
     * One object per worker holding one field per dp rank: matched tokens when {@code blockSize > 0}, else the
     * owner's tree size in blocks.
     */
    private static void writeOwners(
        final JsonGenerator generator,
        final OverlapScores scores,
        final int[] order,
        final int size,
        final int blockSize) throws IOException
    {
        generator.writeStartObject();
        for (int i = 0; i < size; i++)
        {
            final int entry = order[i];
            final long workerId = scores.workerId(entry);
            if (0 == i || workerId != scores.workerId(order[i - 1]))
            {
                if (i > 0)
                {
                    generator.writeEndObject();
                }
                generator.writeObjectFieldStart(Long.toUnsignedString(workerId));
            }
            generator.writeNumberField(Integer.toString(scores.dpRank(entry)), blockSize > 0 ?
                (long)scores.matchedBlocks(entry) * blockSize : scores.treeSize(entry));
        }
        if (size > 0)
        {
            generator.writeEndObject();
        }
        generator.writeEndObject();
    }

    /**
     * Shell sort of entry indexes by (worker id unsigned, dp rank): no allocation, fast enough for thousands of
     * owners.
     */
    private static void sort(final OverlapScores scores, final int[] order, final int size)
    {
        for (int gap = size / 2; gap > 0; gap /= 2)
        {
            for (int i = gap; i < size; i++)
            {
                final int entry = order[i];
                int j = i;
                while (j >= gap && compare(scores, order[j - gap], entry) > 0)
                {
                    order[j] = order[j - gap];
                    j -= gap;
                }
                order[j] = entry;
            }
        }
    }

    private static int compare(final OverlapScores scores, final int a, final int b)
    {
        final int byWorker = Long.compareUnsigned(scores.workerId(a), scores.workerId(b));
        return 0 != byWorker ? byWorker : Integer.compare(scores.dpRank(a), scores.dpRank(b));
    }
}
