package io.kvindex.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a {@code /dump} document ({@link DumpHandler}'s shape, which is Dynamo's) into indexes: each
 * {@code "<model>:<tenant>"} entry (split at the last colon, as model names may hold one) is buffered, then its
 * Stored events are applied to the index the factory gives for its block size.
 * <p>
 * It applies on the calling thread, straight into the index: use it only while nothing else writes the indexes,
 * i.e. at start before any feed runs (peer bootstrap) or in tests. Stores are idempotent, so live events that
 * follow may repeat what the dump held.
 */
final class DumpLoader
{
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(Long.SIZE);

    /**
     * Applies buffered Stored events to the index of a {@code (model, tenant)} with a block size, creating it when
     * missing (on the index's writer thread, as {@code IndexerServer.loadStored} does).
     */
    @FunctionalInterface
    interface IndexFactory
    {
        /**
         * Load the events.
         *
         * @return the number of events applied with status OK.
         * @throws IllegalArgumentException when the index exists with another block size.
         */
        long load(String model, String tenant, int blockSize, DumpBuffer events);
    }

    /**
     * What a load did.
     */
    static final class Result
    {
        int indexes;
        long events;
        long refused;
        long skipped;
        final List<String> errors = new ArrayList<>();

        @Override
        public String toString()
        {
            return indexes + " indexes, " + events + " events applied, " + refused + " refused, " + skipped +
                " skipped" + (errors.isEmpty() ? "" : ", errors: " + errors);
        }
    }

    private DumpLoader()
    {
    }

    /**
     * Read a dump and apply it.
     *
     * @throws IOException for malformed JSON or a read failure.
     * @throws IllegalArgumentException for a document of the wrong shape.
     */
    static Result load(final InputStream in, final IndexFactory factory) throws IOException
    {
        final Result result = new Result();
        final DumpBuffer buffer = new DumpBuffer();
        try (JsonParser parser = Json.FACTORY.createParser(in))
        {
            parser.setCodec(Json.EMBEDDED_MAPPER);
            expect(parser.nextToken() == JsonToken.START_OBJECT, "a dump is a JSON object");
            String key;
            while (null != (key = parser.nextFieldName()))
            {
                expect(parser.nextToken() == JsonToken.START_OBJECT, "dump entry " + key + " is not an object");
                final int blockSize = readEntry(parser, buffer.reset(), key, result);
                apply(key, blockSize, buffer, factory, result);
            }
        }
        return result;
    }

    private static int readEntry(
        final JsonParser parser, final DumpBuffer buffer, final String key, final Result result) throws IOException
    {
        int blockSize = 0;
        String field;
        while (null != (field = parser.nextFieldName()))
        {
            final JsonToken token = parser.nextToken();
            if ("block_size".equals(field))
            {
                expect(token == JsonToken.VALUE_NUMBER_INT, "block_size of " + key + " is not an integer");
                blockSize = parser.getIntValue();
            }
            else if ("events".equals(field))
            {
                expect(token == JsonToken.START_ARRAY, "events of " + key + " is not an array");
                JsonToken element;
                while ((element = parser.nextToken()) != JsonToken.END_ARRAY)
                {
                    expect(element == JsonToken.START_OBJECT, "an event of " + key + " is not an object");
                    if (!readEvent(parser.readValueAsTree(), buffer))
                    {
                        result.skipped++;
                    }
                }
            }
            else if ("error".equals(field))
            {
                result.errors.add(key + ": peer reported " + parser.getText());
                blockSize = -1;
            }
            else
            {
                parser.skipChildren();
            }
        }
        return blockSize;
    }

    private static void apply(
        final String key,
        final int blockSize,
        final DumpBuffer buffer,
        final IndexFactory factory,
        final Result result)
    {
        final int colon = key.lastIndexOf(':');
        if (blockSize < 1 || colon <= 0)
        {
            if (blockSize >= 0)
            {
                result.errors.add(key + ": no block_size or not <model>:<tenant>, skipped");
            }
            return;
        }
        final long applied;
        try
        {
            applied = factory.load(key.substring(0, colon), key.substring(colon + 1), blockSize, buffer);
        }
        catch (final IllegalArgumentException ex)
        {
            result.errors.add(key + ": " + ex.getMessage());
            return;
        }
        result.indexes++;
        result.refused += buffer.events() - applied;
        result.events += buffer.events();
    }

    /**
     * Buffer one RouterEvent if it is a Stored event.
     *
     * @return false for another kind of event, skipped.
     */
    private static boolean readEvent(final JsonNode event, final DumpBuffer buffer)
    {
        final JsonNode stored = event.path("event").path("data").path("stored");
        if (!stored.isObject())
        {
            return false;
        }
        final long workerId = unsigned(event.get("worker_id"), "worker_id");
        final JsonNode dpRank = event.path("event").path("dp_rank");
        expect(dpRank.isMissingNode() || dpRank.canConvertToInt(), "dp_rank is not an integer: " + dpRank);
        final JsonNode parent = stored.get("parent_hash");
        final boolean hasParent = null != parent && !parent.isNull();
        final JsonNode blocks = stored.path("blocks");
        expect(blocks.isArray(), "stored event without blocks: " + event);
        final long[] engineHashes = new long[blocks.size()];
        final long[] localHashes = new long[blocks.size()];
        for (int i = 0; i < blocks.size(); i++)
        {
            engineHashes[i] = unsigned(blocks.get(i).get("block_hash"), "block_hash");
            localHashes[i] = unsigned(blocks.get(i).get("tokens_hash"), "tokens_hash");
        }
        buffer.onStored(workerId, dpRank.asInt(0), hasParent, hasParent ? unsigned(parent, "parent_hash") : 0,
            engineHashes, localHashes, blocks.size());
        return true;
    }

    private static long unsigned(final JsonNode node, final String field)
    {
        expect(null != node && node.isIntegralNumber(), field + " is not an integer: " + node);
        final BigInteger value = node.bigIntegerValue();
        expect(value.signum() >= 0 && value.compareTo(TWO_TO_64) < 0, field + " is not an unsigned 64-bit integer");
        return value.longValue();
    }

    private static void expect(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException("bad dump: " + message);
        }
    }
}
