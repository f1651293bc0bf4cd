package io.kvindex.perf.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the JSON that perf tools print: maps (in their iteration order), lists, numbers, booleans, strings and
 * null, on one line. Non-finite doubles become null, as JSON has no NaN. Not for hot paths.
 */
public final class JsonWriter
{
    private JsonWriter()
    {
    }

    /**
     * One value as JSON text.
     *
     * @param value a {@link Map} with string keys, a {@link List}, a {@link Number}, a {@link Boolean}, a
     *              {@link CharSequence}, or null.
     * @return the JSON text.
     */
    public static String write(final Object value)
    {
        final StringBuilder sb = new StringBuilder(256);
        append(sb, value);
        return sb.toString();
    }

    /**
     * Append one value as JSON text.
     *
     * @param sb    where to append.
     * @param value see {@link #write(Object)}.
     */
    public static void append(final StringBuilder sb, final Object value)
    {
        if (null == value)
        {
            sb.append("null");
        }
        else if (value instanceof Map)
        {
            appendObject(sb, (Map<?, ?>)value);
        }
        else if (value instanceof List)
        {
            appendArray(sb, (List<?>)value);
        }
        else if (value instanceof Double || value instanceof Float)
        {
            final double d = ((Number)value).doubleValue();
            sb.append(Double.isFinite(d) ? Double.toString(d) : "null");
        }
        else if (value instanceof Number || value instanceof Boolean)
        {
            sb.append(value);
        }
        else if (value instanceof CharSequence)
        {
            appendString(sb, value.toString());
        }
        else
        {
            throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    private static void appendObject(final StringBuilder sb, final Map<?, ?> map)
    {
        sb.append('{');
        boolean first = true;
        for (final Map.Entry<?, ?> entry : map.entrySet())
        {
            if (!first)
            {
                sb.append(',');
            }
            first = false;
            appendString(sb, String.valueOf(entry.getKey()));
            sb.append(':');
            append(sb, entry.getValue());
        }
        sb.append('}');
    }

    private static void appendArray(final StringBuilder sb, final List<?> list)
    {
        sb.append('[');
        for (int i = 0; i < list.size(); i++)
        {
            if (i > 0)
            {
                sb.append(',');
            }
            append(sb, list.get(i));
        }
        sb.append(']');
    }

    private static void appendString(final StringBuilder sb, final String s)
    {
        sb.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
