namespace LlmAdapters.Streaming;

/// <summary>
/// One row of the framing table (<see cref="StreamFormats.Of"/>): what a <c>stream_format</c> is called and how the engine
/// treats its bodies. The engine asks these properties, never the format itself, outside the one switch that picks the
/// framing's reader (<c>StreamSession.Step</c>, one partial file per framing).
/// </summary>
/// <param name="Format">The enum value.</param>
/// <param name="Name">Its name in definition files.</param>
/// <param name="AcceptsJsonBody">
/// A 2xx body labelled JSON where the stream was expected is read whole, as the vendor's whole answer (or its error),
/// instead of through the framing. False when the framing's own body is JSON (json-array).
/// </param>
/// <param name="TextPayloads">A payload may be plain text (the text itself), not only JSON: SSE data and raw bodies.</param>
/// <param name="DecodesPayloads">Payloads go through the chunk decoder (text and fields by key path); false for raw, whose bytes are the text.</param>
internal sealed record Framing(StreamFormat Format, string Name, bool AcceptsJsonBody, bool TextPayloads, bool DecodesPayloads);
