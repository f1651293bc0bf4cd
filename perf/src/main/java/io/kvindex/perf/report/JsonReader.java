package io.kvindex.perf.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON that perf tools and JMH write, for the report: objects become {@link LinkedHashMap}s (key order
 * kept), arrays {@link ArrayList}s, integers {@link Long} (when they fit), other numbers {@link Double}, and
 * {@code true}, {@code false}, {@code null} and strings their Java counterparts. Not for hot paths.
 */
public final class JsonReader
{
    private final String text;
    private int at;

    private JsonReader(final String text)
    {
        this.text = text;
    }

    /**
     * Parse one JSON value; only whitespace may follow it.
     *
     * @param text the JSON text.
     * @return the value.
     * @throws IllegalArgumentException when the text is not JSON.
     */
    public static Object parse(final String text)
    {
        final JsonReader reader = new JsonReader(text);
        final Object value = reader.value();
        reader.skipWhitespace();
        if (reader.at != text.length())
        {
            throw reader.error("trailing characters");
        }
        return value;
    }

    private Object value()
    {
        skipWhitespace();
        if (at >= text.length())
        {
            throw error("unexpected end");
        }
        final char c = text.charAt(at);
        return switch (c)
        {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object()
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        at++;
        skipWhitespace();
        if (peek('}'))
        {
            at++;
            return map;
        }
        while (true)
        {
            skipWhitespace();
            final String key = string();
            skipWhitespace();
            expect(':');
            map.put(key, value());
            skipWhitespace();
            if (peek(','))
            {
                at++;
                continue;
            }
            expect('}');
            return map;
        }
    }

    private List<Object> array()
    {
        final List<Object> list = new ArrayList<>();
        at++;
        skipWhitespace();
        if (peek(']'))
        {
            at++;
            return list;
        }
        while (true)
        {
            list.add(value());
            skipWhitespace();
            if (peek(','))
            {
                at++;
                continue;
            }
            expect(']');
            return list;
        }
    }

    private String string()
    {
        expect('"');
        final StringBuilder sb = new StringBuilder();
        while (at < text.length())
        {
            final char c = text.charAt(at++);
            if ('"' == c)
            {
                return sb.toString();
            }
            if ('\\' != c)
            {
                sb.append(c);
                continue;
            }
            if (at >= text.length())
            {
                break;
            }
            final char e = text.charAt(at++);
            switch (e)
            {
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' ->
                {
                    if (at + 4 > text.length())
                    {
                        throw error("bad \\u escape");
                    }
                    sb.append((char)Integer.parseInt(text.substring(at, at + 4), 16));
                    at += 4;
                }
                default -> sb.append(e);
            }
        }
        throw error("unterminated string");
    }

    private Object number()
    {
        final int start = at;
        boolean integral = true;
        while (at < text.length())
        {
            final char c = text.charAt(at);
            if (c == '.' || c == 'e' || c == 'E')
            {
                integral = false;
            }
            else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9')))
            {
                break;
            }
            at++;
        }
        final String s = text.substring(start, at);
        if (s.isEmpty())
        {
            throw error("unexpected character '" + text.charAt(at) + "'");
        }
        try
        {
            if (integral && s.length() < 19)
            {
                return Long.parseLong(s);
            }
            return Double.parseDouble(s);
        }
        catch (final NumberFormatException ex)
        {
            throw error("bad number '" + s + "'");
        }
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, at))
        {
            throw error("expected " + word);
        }
        at += word.length();
        return value;
    }

    private void skipWhitespace()
    {
        while (at < text.length() && Character.isWhitespace(text.charAt(at)))
        {
            at++;
        }
    }

    private boolean peek(final char c)
    {
        return at < text.length() && text.charAt(at) == c;
    }

    private void expect(final char c)
    {
        if (!peek(c))
        {
            throw error("expected '" + c + "'");
        }
        at++;
    }

    private IllegalArgumentException error(final String problem)
    {
        return new IllegalArgumentException("JSON: " + problem + " at offset " + at);
    }
}
