package io.kvindex.perf.trace;

import io.kvindex.client.BlockHasher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A Mooncake request trace (JSONL: {@code timestamp} ms, {@code input_length}, {@code output_length},
 * {@code hash_ids}, one id per 512-token block) held in primitive arrays, with the local block hashes of its
 * prompts.
 * <p>
 * Local hashes: every hash id expands into 512 token ids by a deterministic function of the id (the same id always
 * gives the same tokens), and a block's local hash is {@link BlockHasher#localHash} of those tokens (XXH3-64, seed
 * 1337), computed once per id. Only full blocks are hashed: a prompt has {@code input_length / 512} local hashes and
 * its trailing partial block is ignored, as Dynamo does. Copies of the trace for worker group {@code g > 0} stand for
 * different content: their local hashes are derived from group 0's as {@code mix64(hash + g * golden)} rather than
 * hashed again from other tokens, which is equivalent for an index (distinct, deterministic values).
 */
public final class MooncakeTrace
{
    /** Tokens per block in Mooncake traces. */
    public static final int BLOCK_SIZE = 512;

    private static final int VOCABULARY_BITS = 15;

    private final long[] timestamps;
    private final int[] inputLengths;
    private final int[] outputLengths;
    private final int[] hashIdOffsets;
    private final int[] hashIds;
    private final int maxHashId;
    private final long[] localHashCache;
    private final long[] localHashComputed;
    private final BlockHasher hasher = new BlockHasher(BLOCK_SIZE, 0);
    private final int[] tokens = new int[BLOCK_SIZE];

    private MooncakeTrace(
        final long[] timestamps,
        final int[] inputLengths,
        final int[] outputLengths,
        final int[] hashIdOffsets,
        final int[] hashIds)
    {
        this.timestamps = timestamps;
        this.inputLengths = inputLengths;
        this.outputLengths = outputLengths;
        this.hashIdOffsets = hashIdOffsets;
        this.hashIds = hashIds;
        int max = -1;
        for (final int id : hashIds)
        {
            max = Math.max(max, id);
        }
        this.maxHashId = max;
        this.localHashCache = new long[max + 1];
        this.localHashComputed = new long[(max + 64) >>> 6];
    }

    /**
     * Read a trace file.
     *
     * @param file    the JSONL file.
     * @param maxRequests read at most this many lines (requests); {@code Integer.MAX_VALUE} for all.
     * @return the trace.
     * @throws IOException when the file cannot be read.
     */
    public static MooncakeTrace load(final Path file, final int maxRequests) throws IOException
    {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            return parse(reader, maxRequests);
        }
    }

    /**
     * Parse a trace held in a string (one JSON object per line).
     *
     * @param jsonl the lines.
     * @return the trace.
     */
    public static MooncakeTrace parse(final String jsonl)
    {
        try
        {
            return parse(new BufferedReader(new StringReader(jsonl)), Integer.MAX_VALUE);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static MooncakeTrace parse(final BufferedReader reader, final int maxRequests) throws IOException
    {
        long[] timestamps = new long[1024];
        int[] inputs = new int[1024];
        int[] outputs = new int[1024];
        int[] offsets = new int[1025];
        int[] ids = new int[16384];
        int count = 0;
        int idCount = 0;
        final int[] scratch = new int[2];
        String line;
        int lineNumber = 0;
        while (count < maxRequests && null != (line = reader.readLine()))
        {
            lineNumber++;
            if (line.isBlank())
            {
                continue;
            }
            if (count == timestamps.length)
            {
                timestamps = Arrays.copyOf(timestamps, count * 2);
                inputs = Arrays.copyOf(inputs, count * 2);
                outputs = Arrays.copyOf(outputs, count * 2);
                offsets = Arrays.copyOf(offsets, count * 2 + 1);
            }
            try
            {
                timestamps[count] = number(line, valueStart(line, "timestamp"), scratch);
                inputs[count] = Math.toIntExact(number(line, valueStart(line, "input_length"), scratch));
                outputs[count] = Math.toIntExact(number(line, valueStart(line, "output_length"), scratch));
                int pos = valueStart(line, "hash_ids");
                if (line.charAt(pos) != '[')
                {
                    throw new IllegalArgumentException("hash_ids is not an array");
                }
                pos = skipSpaces(line, pos + 1);
                while (line.charAt(pos) != ']')
                {
                    if (idCount == ids.length)
                    {
                        ids = Arrays.copyOf(ids, idCount * 2);
                    }
                    ids[idCount++] = Math.toIntExact(number(line, pos, scratch));
                    pos = skipSpaces(line, scratch[0]);
                    if (line.charAt(pos) == ',')
                    {
                        pos = skipSpaces(line, pos + 1);
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalArgumentException("malformed trace line " + lineNumber + ": " + ex.getMessage(), ex);
            }
            count++;
            offsets[count] = idCount;
        }
        return new MooncakeTrace(Arrays.copyOf(timestamps, count), Arrays.copyOf(inputs, count),
            Arrays.copyOf(outputs, count), Arrays.copyOf(offsets, count + 1), Arrays.copyOf(ids, idCount));
    }

    private static int valueStart(final String line, final String key)
    {
        final int at = line.indexOf("\"" + key + "\"");
        if (at < 0)
        {
            throw new IllegalArgumentException("no field " + key);
        }
        final int colon = skipSpaces(line, at + key.length() + 2);
        if (line.charAt(colon) != ':')
        {
            throw new IllegalArgumentException("no ':' after " + key);
        }
        return skipSpaces(line, colon + 1);
    }

    private static int skipSpaces(final String line, final int from)
    {
        int pos = from;
        while (pos < line.length() && Character.isWhitespace(line.charAt(pos)))
        {
            pos++;
        }
        if (pos == line.length())
        {
            throw new IllegalArgumentException("unexpected end of line");
        }
        return pos;
    }

    private static long number(final String line, final int from, final int[] end)
    {
        int pos = from;
        long value = 0;
        while (pos < line.length() && line.charAt(pos) >= '0' && line.charAt(pos) <= '9')
        {
            value = Math.addExact(Math.multiplyExact(value, 10), line.charAt(pos) - '0');
            pos++;
        }
        if (pos == from)
        {
            throw new IllegalArgumentException("expected a non-negative integer at column " + (from + 1));
        }
        end[0] = pos;
        return value;
    }

    /**
     * Number of requests.
     *
     * @return requests.
     */
    public int requestCount()
    {
        return timestamps.length;
    }

    /**
     * Arrival time of a request.
     *
     * @param request request index.
     * @return milliseconds from the start of the trace.
     */
    public long timestampMs(final int request)
    {
        return timestamps[request];
    }

    /**
     * Prompt length of a request.
     *
     * @param request request index.
     * @return tokens.
     */
    public int inputLength(final int request)
    {
        return inputLengths[request];
    }

    /**
     * Generated length of a request.
     *
     * @param request request index.
     * @return tokens.
     */
    public int outputLength(final int request)
    {
        return outputLengths[request];
    }

    /**
     * Number of hash ids (blocks, the last one possibly partial) of a request.
     *
     * @param request request index.
     * @return hash ids.
     */
    public int hashIdCount(final int request)
    {
        return hashIdOffsets[request + 1] - hashIdOffsets[request];
    }

    /**
     * One hash id of a request.
     *
     * @param request request index.
     * @param block   block position.
     * @return the hash id.
     */
    public int hashId(final int request, final int block)
    {
        return hashIds[hashIdOffsets[request] + block];
    }

    /**
     * The largest hash id in the trace.
     *
     * @return max hash id, -1 when there are none.
     */
    public int maxHashId()
    {
        return maxHashId;
    }

    /**
     * Number of full blocks of a request's prompt: the local hashes it has.
     *
     * @param request request index.
     * @return full blocks.
     */
    public int fullBlocks(final int request)
    {
        return Math.min(inputLengths[request] / BLOCK_SIZE, hashIdCount(request));
    }

    /**
     * The local hashes of a request's full blocks in the copy of the trace for one worker group.
     *
     * @param request request index.
     * @param group   worker group (0 for the trace itself).
     * @param out     receives {@link #fullBlocks(int)} hashes.
     * @return number of hashes written.
     */
    public int localHashes(final int request, final int group, final long[] out)
    {
        final int blocks = fullBlocks(request);
        final int base = hashIdOffsets[request];
        for (int b = 0; b < blocks; b++)
        {
            final long hash = baseLocalHash(hashIds[base + b]);
            out[b] = group == 0 ? hash : Hashes.mix64(hash + group * Hashes.GOLDEN);
        }
        return blocks;
    }

    /**
     * Fill a block with the token ids a hash id stands for: a deterministic function of the id.
     *
     * @param hashId the hash id.
     * @param out    receives {@link #BLOCK_SIZE} token ids, each in [0, 32768).
     */
    public static void tokens(final int hashId, final int[] out)
    {
        final long base = (long)hashId << 9;
        for (int t = 0; t < BLOCK_SIZE; t++)
        {
            out[t] = (int)(Hashes.mix64(base + t) >>> (64 - VOCABULARY_BITS));
        }
    }

    private long baseLocalHash(final int hashId)
    {
        final int word = hashId >>> 6;
        final long bit = 1L << hashId;
        if ((localHashComputed[word] & bit) == 0)
        {
            tokens(hashId, tokens);
            localHashCache[hashId] = hasher.localHash(tokens, 0);
            localHashComputed[word] |= bit;
        }
        return localHashCache[hashId];
    }
}
