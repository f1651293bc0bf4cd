package io.kvindex.mockengine;

import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch payload decoded with msgpack-core, independently of the engine's encoder, keeping what the tests check:
 * the msgpack formats used for hashes, the keys of map events in order, nils.
 */
final class WireBatch
{
    final double ts;
    final MessageFormat tsFormat;
    final Integer dpRank;
    final List<Event> events = new ArrayList<>();

    /**
     * One event, from either form.
     */
    static final class Event
    {
        String type;
        boolean mapForm;
        final List<String> keys = new ArrayList<>();
        long[] hashes;
        final List<MessageFormat> hashFormats = new ArrayList<>();
        boolean hasParent;
        long parent;
        int[] tokens;
        int blockSize;
        String medium;
        int fields;
        boolean loraIdNil;
        boolean loraNameNil;
    }

    private WireBatch(final double ts, final MessageFormat tsFormat, final Integer dpRank)
    {
        this.ts = ts;
        this.tsFormat = tsFormat;
        this.dpRank = dpRank;
    }

    static WireBatch decode(final byte[] buffer, final int offset, final int length)
    {
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(buffer, offset, length))
        {
            if (3 != in.unpackArrayHeader())
            {
                throw new IllegalStateException("batch is not a 3-array");
            }
            final MessageFormat tsFormat = in.getNextFormat();
            final double ts = in.unpackDouble();
            final int count = in.unpackArrayHeader();
            final List<Event> events = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                events.add(event(in));
            }
            final Integer rank = in.getNextFormat().getValueType() == ValueType.NIL ? nil(in) : in.unpackInt();
            if (in.hasNext())
            {
                throw new IllegalStateException("bytes after the batch");
            }
            final WireBatch batch = new WireBatch(ts, tsFormat, rank);
            batch.events.addAll(events);
            return batch;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static WireBatch decode(final byte[] payload)
    {
        return decode(payload, 0, payload.length);
    }

    private static Integer nil(final MessageUnpacker in) throws IOException
    {
        in.unpackNil();
        return null;
    }

    private static Event event(final MessageUnpacker in) throws IOException
    {
        final Event event = new Event();
        if (in.getNextFormat().getValueType() == ValueType.MAP)
        {
            event.mapForm = true;
            event.fields = in.unpackMapHeader();
            for (int f = 0; f < event.fields; f++)
            {
                final String key = in.unpackString();
                event.keys.add(key);
                field(in, event, key);
            }
            return event;
        }
        event.fields = in.unpackArrayHeader();
        event.type = in.unpackString();
        final String[] names = "BlockStored".equals(event.type) ?
            new String[]{ "block_hashes", "parent_block_hash", "token_ids", "block_size", "lora_id", "medium",
                "lora_name" } :
            "BlockRemoved".equals(event.type) ? new String[]{ "block_hashes", "medium" } : new String[0];
        for (int f = 1; f < event.fields; f++)
        {
            field(in, event, names[f - 1]);
        }
        return event;
    }

    private static void field(final MessageUnpacker in, final Event event, final String key) throws IOException
    {
        switch (key)
        {
            case "type" -> event.type = in.unpackString();
            case "block_hashes" ->
            {
                event.hashes = new long[in.unpackArrayHeader()];
                for (int i = 0; i < event.hashes.length; i++)
                {
                    event.hashFormats.add(in.getNextFormat());
                    event.hashes[i] = hash(in);
                }
            }
            case "parent_block_hash" ->
            {
                event.hasParent = in.getNextFormat().getValueType() != ValueType.NIL;
                if (event.hasParent)
                {
                    event.parent = hash(in);
                }
                else
                {
                    in.unpackNil();
                }
            }
            case "token_ids" ->
            {
                event.tokens = new int[in.unpackArrayHeader()];
                for (int i = 0; i < event.tokens.length; i++)
                {
                    event.tokens[i] = in.unpackInt();
                }
            }
            case "block_size" -> event.blockSize = in.unpackInt();
            case "medium" -> event.medium = in.unpackString();
            case "lora_id" -> event.loraIdNil = nilField(in);
            case "lora_name" -> event.loraNameNil = nilField(in);
            default -> in.skipValue();
        }
    }

    private static boolean nilField(final MessageUnpacker in) throws IOException
    {
        if (in.getNextFormat().getValueType() == ValueType.NIL)
        {
            in.unpackNil();
            return true;
        }
        in.skipValue();
        return false;
    }

    private static long hash(final MessageUnpacker in) throws IOException
    {
        return MessageFormat.UINT64 == in.getNextFormat() ? in.unpackBigInteger().longValue() : in.unpackLong();
    }
}
