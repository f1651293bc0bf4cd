package io.kvindex.perf.e2e;

import java.util.Collection;

/**
 * One JSON object on one line, built field by field: numbers and booleans as they are, null as null, collections
 * as arrays of strings, anything else as an escaped string. Enough for reports; not a JSON library.
 */
final class JsonLine
{
    private final StringBuilder sb = new StringBuilder(2048).append('{');

    JsonLine field(final String name, final Object value)
    {
        if (sb.length() > 1)
        {
            sb.append(',');
        }
        string(name);
        sb.append(':');
        if (null == value)
        {
            sb.append("null");
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
        else if (value instanceof Collection<?> items)
        {
            sb.append('[');
            boolean first = true;
            for (final Object item : items)
            {
                sb.append(first ? "" : ",");
                string(String.valueOf(item));
                first = false;
            }
            sb.append(']');
        }
        else
        {
            string(value.toString());
        }
        return this;
    }

    @Override
    public String toString()
    {
        return sb + "}";
    }

    private void string(final String value)
    {
        sb.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
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
                        sb.append(String.format("\\u%04x", (int)c));
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
