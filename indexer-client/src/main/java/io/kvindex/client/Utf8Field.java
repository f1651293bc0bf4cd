package io.kvindex.client;

import java.nio.charset.StandardCharsets;

/**
 * The UTF-8 bytes of the last string seen, so that a caller passing the same model, tenant or LoRA name query after
 * query encodes it once. Null and empty strings are both empty.
 */
final class Utf8Field
{
    private static final byte[] EMPTY = new byte[0];

    private String last = "";
    private byte[] bytes = EMPTY;

    byte[] bytes(final String value)
    {
        if (null == value || value.isEmpty())
        {
            return EMPTY;
        }
        if (value != last && !value.equals(last))
        {
            last = value;
            bytes = value.getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }
}
