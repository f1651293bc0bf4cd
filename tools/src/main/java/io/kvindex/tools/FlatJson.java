package io.kvindex.tools;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one flat JSON object, {@code {"key": value, ...}}, whose values are strings, numbers, booleans or null, into
 * a map of texts (a null value leaves its key out). Enough for a workers file; nested values are refused.
 */
final class FlatJson
{
    private final String text;
    private int at;

    private FlatJson(final String text)
    {
        this.text = text;
    }

    /**
     * Parse an object.
     *
     * @param text the JSON text.
     * @return the keys and values, in order.
     * @throws IllegalArgumentException where the text is not a flat object.
     */
    static Map<String, String> parse(final String text)
    {
        return new FlatJson(text).object();
    }

    private Map<String, String> object()
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        expect('{');
        if (peek() == '}')
        {
            at++;
        }
        else
        {
            while (true)
            {
                final String key = string();
                expect(':');
                final String value = value();
                if (null != value)
                {
                    fields.put(key, value);
                }
                final char next = next();
                if ('}' == next)
                {
                    break;
                }
                if (',' != next)
                {
                    throw error("expected , or }");
                }
            }
        }
        if (peek() != 0)
        {
            throw error("text after the object");
        }
        return fields;
    }

    private String value()
    {
        final char c = peek();
        if ('"' == c)
        {
            return string();
        }
        final int start = at;
        while (at < text.length() && ",} \t".indexOf(text.charAt(at)) < 0)
        {
            at++;
        }
        final String word = text.substring(start, at);
        if ("null".equals(word))
        {
            return null;
        }
        if ("true".equals(word) || "false".equals(word) || word.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?"))
        {
            return word;
        }
        at = start;
        throw error("expected a string, number, boolean or null");
    }

    private String string()
    {
        expect('"');
        final StringBuilder out = new StringBuilder();
        while (true)
        {
            if (at >= text.length())
            {
                throw error("unterminated string");
            }
            final char c = text.charAt(at++);
            if ('"' == c)
            {
                return out.toString();
            }
            if ('\\' != c)
            {
                out.append(c);
                continue;
            }
            if (at >= text.length())
            {
                throw error("unterminated escape");
            }
            final char e = text.charAt(at++);
            switch (e)
            {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append(unicode());
                case '"', '\\', '/' -> out.append(e);
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private char unicode()
    {
        if (at + 4 > text.length())
        {
            throw error("short \\u escape");
        }
        try
        {
            final char c = (char)Integer.parseInt(text.substring(at, at + 4), 16);
            at += 4;
            return c;
        }
        catch (final NumberFormatException ex)
        {
            throw error("bad \\u escape");
        }
    }

    private void expect(final char c)
    {
        if (next() != c)
        {
            throw error("expected " + c);
        }
    }

    private char next()
    {
        final char c = peek();
        at++;
        return c;
    }

    private char peek()
    {
        while (at < text.length() && Character.isWhitespace(text.charAt(at)))
        {
            at++;
        }
        return at < text.length() ? text.charAt(at) : 0;
    }

    private IllegalArgumentException error(final String what)
    {
        return new IllegalArgumentException("bad JSON at column " + (at + 1) + ": " + what);
    }
}
