package io.kvindex.mockengine;

/**
 * How block hashes are written: the same 64 bits, read as unsigned or signed.
 */
public enum HashFormat
{
    /** msgpack uint64 (vLLM): about half the hashes are 2^63 or above. */
    UINT64,

    /** msgpack int64 (SGLang): those hashes appear negative. */
    INT64
}
