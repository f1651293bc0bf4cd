package io.kvindex.mockengine;

/**
 * How events are encoded inside a batch ({@code spec/engine-events.md}, Events).
 */
public enum EventFormat
{
    /** Tagged maps, {@code {"type": "BlockStored", "block_hashes": ...}}: vLLM since mid-2026. */
    MAP,

    /** Tagged arrays, {@code ["BlockStored", block_hashes, ...]}: vLLM before mid-2026 and SGLang. */
    ARRAY
}
