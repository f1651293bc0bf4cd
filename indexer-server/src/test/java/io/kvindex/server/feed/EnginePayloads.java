package io.kvindex.server.feed;

import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds engine KV-event payloads with msgpack-core's packer, as engines write them: batches as arrays or maps,
 * events as tagged arrays (fields by position, trailing ones left out) or tagged maps (keys in the given order).
 * Values: null, Long/Integer (int family), BigInteger (uint64), byte[] (bin), String, Double, int[] and long[]
 * (lists), List, Map.
 */
public final class EnginePayloads
{
    static final List<String> STORED_FIELDS = List.of(
        "block_hashes", "parent_block_hash", "token_ids", "block_size", "lora_id", "medium", "lora_name",
        "extra_keys", "group_idx", "kv_cache_spec_kind", "kv_cache_spec_sliding_window");
    static final List<String> REMOVED_FIELDS = List.of("block_hashes", "medium", "group_idx");

    private EnginePayloads()
    {
    }

    /**
     * An event as an ordered field map; "type" is the tag.
     */
    public static Map<String, Object> event(final String type, final Object... keyValues)
    {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("type", type);
        for (int i = 0; i < keyValues.length; i += 2)
        {
            fields.put((String)keyValues[i], keyValues[i + 1]);
        }
        return fields;
    }

    public static Map<String, Object> stored(
        final Object hashes, final Object parent, final int[] tokens, final int blockSize, final Object... more)
    {
        final Map<String, Object> fields = event("BlockStored", "block_hashes", hashes, "parent_block_hash", parent,
            "token_ids", tokens, "block_size", blockSize, "lora_id", null, "medium", "GPU", "lora_name", null);
        for (int i = 0; i < more.length; i += 2)
        {
            fields.put((String)more[i], more[i + 1]);
        }
        return fields;
    }

    public static Map<String, Object> removed(final Object hashes, final Object... more)
    {
        final Map<String, Object> fields = event("BlockRemoved", "block_hashes", hashes, "medium", "GPU");
        for (int i = 0; i < more.length; i += 2)
        {
            fields.put((String)more[i], more[i + 1]);
        }
        return fields;
    }

    public static Map<String, Object> cleared()
    {
        return event("AllBlocksCleared");
    }

    /**
     * {@code [ts, [events as arrays], dpRank]}.
     */
    public static byte[] arrayBatch(final Integer dpRank, final List<Map<String, Object>> events)
    {
        return batch(false, false, dpRank, events);
    }

    /**
     * {@code [ts, [events as maps], dpRank]}.
     */
    static byte[] arrayBatchOfMaps(final Integer dpRank, final List<Map<String, Object>> events)
    {
        return batch(false, true, dpRank, events);
    }

    public static byte[] batch(
        final boolean mapBatch, final boolean mapEvents, final Integer dpRank, final List<Map<String, Object>> events)
    {
        return pack((p) ->
        {
            if (mapBatch)
            {
                p.packMapHeader(3);
                p.packString("ts");
                p.packDouble(1_700_000_000.25);
                p.packString("events");
                packEvents(p, mapEvents, events);
                p.packString("data_parallel_rank");
                pack(p, dpRank);
            }
            else
            {
                p.packArrayHeader(3);
                p.packDouble(1_700_000_000.25);
                packEvents(p, mapEvents, events);
                pack(p, dpRank);
            }
        });
    }

    static void packEvents(final MessagePacker p, final boolean mapEvents, final List<Map<String, Object>> events)
        throws IOException
    {
        p.packArrayHeader(events.size());
        for (final Map<String, Object> event : events)
        {
            if (mapEvents)
            {
                pack(p, event);
            }
            else
            {
                packArrayEvent(p, event);
            }
        }
    }

    static void packArrayEvent(final MessagePacker p, final Map<String, Object> event) throws IOException
    {
        final String type = (String)event.get("type");
        final List<String> order = "BlockStored".equals(type) ? STORED_FIELDS :
            "BlockRemoved".equals(type) ? REMOVED_FIELDS : List.of();
        int length = 0;
        for (int i = 0; i < order.size(); i++)
        {
            length = event.containsKey(order.get(i)) ? i + 1 : length;
        }
        final Object[] trailing = (Object[])event.get("trailing");
        p.packArrayHeader(1 + length + (null == trailing ? 0 : trailing.length));
        p.packString(type);
        for (int i = 0; i < length; i++)
        {
            pack(p, event.get(order.get(i)));
        }
        if (null != trailing)
        {
            for (final Object value : trailing)
            {
                pack(p, value);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static void pack(final MessagePacker p, final Object value) throws IOException
    {
        if (null == value)
        {
            p.packNil();
        }
        else if (value instanceof Integer || value instanceof Long)
        {
            p.packLong(((Number)value).longValue());
        }
        else if (value instanceof BigInteger)
        {
            p.packBigInteger((BigInteger)value);
        }
        else if (value instanceof Double)
        {
            p.packDouble((Double)value);
        }
        else if (value instanceof String)
        {
            p.packString((String)value);
        }
        else if (value instanceof byte[])
        {
            final byte[] bytes = (byte[])value;
            p.packBinaryHeader(bytes.length);
            p.writePayload(bytes);
        }
        else if (value instanceof int[])
        {
            final int[] ints = (int[])value;
            p.packArrayHeader(ints.length);
            for (final int v : ints)
            {
                p.packLong(v);
            }
        }
        else if (value instanceof long[])
        {
            final long[] longs = (long[])value;
            p.packArrayHeader(longs.length);
            for (final long v : longs)
            {
                p.packLong(v);
            }
        }
        else if (value instanceof List)
        {
            final List<Object> list = (List<Object>)value;
            p.packArrayHeader(list.size());
            for (final Object v : list)
            {
                pack(p, v);
            }
        }
        else if (value instanceof Map)
        {
            final Map<String, Object> map = (Map<String, Object>)value;
            final boolean hasTrailing = map.containsKey("trailing");
            p.packMapHeader(map.size() - (hasTrailing ? 1 : 0));
            for (final Map.Entry<String, Object> entry : map.entrySet())
            {
                if (!"trailing".equals(entry.getKey()))
                {
                    p.packString(entry.getKey());
                    pack(p, entry.getValue());
                }
            }
        }
        else
        {
            throw new IllegalArgumentException("cannot pack " + value.getClass());
        }
    }

    /**
     * Unsigned 64-bit values as msgpack uint64 when at or above 2^63.
     */
    public static Object uint64(final long value)
    {
        return value < 0 ? new BigInteger(Long.toUnsignedString(value)) : (Object)value;
    }

    public static List<Object> uint64List(final long... values)
    {
        final Object[] list = new Object[values.length];
        for (int i = 0; i < values.length; i++)
        {
            list[i] = uint64(values[i]);
        }
        return List.of(list);
    }

    static byte[] pack(final PackerAction action)
    {
        try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker())
        {
            action.accept(packer);
            packer.flush();
            return packer.toByteArray();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Writes values to a packer.
     */
    @FunctionalInterface
    interface PackerAction
    {
        void accept(MessagePacker packer) throws IOException;
    }
}
