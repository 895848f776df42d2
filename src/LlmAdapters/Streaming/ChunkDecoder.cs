using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using LlmAdapters.Internal;
using LlmAdapters.Mapping;

namespace LlmAdapters.Streaming;

/// <summary>Turns one chunk payload into its text piece and field values, with one forward pass over the JSON and no allocation beyond the text it yields.</summary>
/// <remarks>Per call; not thread-safe. The current chunk's raw values are valid until the next <see cref="Decode"/>.</remarks>
internal sealed partial class ChunkDecoder : IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly StreamPlan _plan;
    private readonly int[] _starts;
    private readonly int[] _lengths;
    private readonly bool[] _skipped;
    private readonly byte[]?[] _documentValues;
    private readonly string _callDescription;
    private readonly int[] _textSlots;
    private readonly ResponseField? _textField; // read per chunk: kept here rather than looked up through the plan's lists
    private readonly int _fieldCount;
    private readonly ScanMemo _scanMemo = new(); // the last chunk's scan: the next is checked against it
    private bool _stringsChecked; // true when the last JSON chunk's strings passed ValidateStrings
    private int _chunks; // chunks decoded so far (Decode calls)
    private int _foundAt; // the chunk whose slots the scan memo holds
    private bool _fromChunkBefore; // this chunk's slots were found from the chunk decoded just before (ScanMemo.TryReplay)
    private SlotChange _unchanged; // the kinds of items (all but the text and the tool_call items) for each of which IsUnchanged holds
    private int _storedAt; // the last chunk whose fields StoreFields kept
    private readonly int[] _slotField; // the plan's SlotFields
    private readonly int[] _fieldChangedAt; // per item: the last chunk in which one of its slots changed (ScanMemo.ChangedSlots)
    private readonly bool _valuesFromSlotsAlone; // no filter, no value read from a document: a value is its slots' bytes
    private int _convertersCheckedAt = -1; // the last chunk whose values CheckConverters accepted
    private int[] _noToolCallAt = []; // per tool_call item: the last chunk whose value could hold no piece of a call
    private byte[] _event = [];
    private int _eventLength;
    private string? _eventText; // the current event type as a string, made once per run of equal types

    private readonly CumulativeText? _cumulative; // in cumulative mode: the text so far

    public ChunkDecoder(StreamPlan plan, string callDescription, long maxJoinedChars = long.MaxValue)
    {
        _plan = plan;
        _callDescription = callDescription;
        _starts = new int[plan.Paths.SlotCount];
        _lengths = new int[plan.Paths.SlotCount];
        _skipped = new bool[plan.Response.Fields.Length];
        _documentValues = plan.Paths.NeedsDocument ? new byte[]?[plan.Paths.SlotCount] : [];
        _textSlots = plan.Response.TextIndex >= 0 ? plan.FieldSlots[plan.Response.TextIndex] : [];
        _unchecked = plan.UncheckedSlots;
        _textField = plan.Response.TextIndex >= 0 ? plan.Response.Fields[plan.Response.TextIndex] : null;
        _cumulative = plan.Cumulative ? new CumulativeText() : null;
        _fieldCount = plan.Response.Fields.Length;
        _slotField = plan.SlotFields;
        _fieldChangedAt = new int[_fieldCount];
        _valuesFromSlotsAlone = plan.Filters.Count == 0 && !plan.Paths.NeedsDocument;
        Fields = new FieldAccumulator(plan.Response, maxJoinedChars);
    }

    /// <summary>The last non-null value of every field across the chunks so far (kept only while <see cref="KeepFields"/>).</summary>
    public FieldAccumulator Fields { get; }

    /// <summary>
    /// False when only the text is wanted: the other fields are then neither checked nor kept per chunk (a stream read
    /// through StreamAsync that nobody observes needs none of them).
    /// </summary>
    public bool KeepFields
    {
        get => _keepFields;
        set
        {
            _keepFields = value;
            if (_cumulative is not null)
            {
                _cumulative.KeepsWhole = value;
            }
        }
    }

    private bool _keepFields = true;

    /// <summary>False to make a snapshot of every chunk whose values differ from the chunk before's, integers or not (see <see cref="CurrentSnapshot"/>).</summary>
    public bool PatchesSnapshots { get; set; } = true;

    /// <summary>
    /// False to look at every item of a chunk when its fields are kept and its snapshot compared, rather than skip at once
    /// the kinds of items none of whose slots changed since the chunk before (<see cref="SlotChange"/>).
    /// </summary>
    public bool SkipsUnchangedKinds { get; set; } = true;

    /// <summary>The kinds of items that the last chunk skips as unchanged (<see cref="SlotChange.None"/> when it looks at each).</summary>
    internal SlotChange UnchangedKinds => _unchanged;

    /// <summary>False to unescape and compare a cumulative stream's whole text in every chunk (see <see cref="CumulativeText"/>).</summary>
    public bool ComparesCumulativeBytes
    {
        get => _cumulative?.ComparesBytes ?? false;
        set
        {
            if (_cumulative is not null)
            {
                _cumulative.ComparesBytes = value;
            }
        }
    }

    /// <summary>
    /// True when the pieces of tool calls (<c>tool_call</c> items) are joined across chunks (StreamUpdatesAsync, CallAsync);
    /// false for StreamAsync, which yields text only and so pays nothing for them.
    /// </summary>
    public bool KeepToolCalls
    {
        get => _keepToolCalls;
        set => _keepToolCalls = value;
    }

    private bool _keepToolCalls = true;

    // Where the value is whose every string the text's converter decoded in this chunk (-1: none).
    private int _textReadWholeStart = -1;
    private int _textReadWholeLength;

    // Where the value is that the text's converter (an IRawTextConverter) read in this chunk (-1: none).
    private int _textConvertedStart = -1;
    private int _textConvertedLength;
    private string? _textOnlyText; // when that converter found the value to hold only one text: that text (else null)
    private readonly bool[] _unchecked; // the plan's UncheckedSlots

    /// <summary>The text piece of the last chunk, null when it had none.</summary>
    public string? Text { get; private set; }

    /// <summary>True when the last chunk had the text item (a value at one of its paths, null included, or a text payload); false for a call that maps no items.</summary>
    public bool TextFound { get; private set; }

    /// <summary>True when the last payload was the end marker.</summary>
    public bool IsDone { get; private set; }

    /// <summary>The SSE event type of the last chunk.</summary>
    public string? EventType => _eventLength == 0 ? null : _eventText ??= Encoding.UTF8.GetString(_event, 0, _eventLength);

    /// <summary>Decodes a payload held by the caller. Returns false when the payload is empty (nothing to report).</summary>
    /// <exception cref="InvalidChunkException">The chunk is not valid JSON, or it carries a vendor error.</exception>
    public bool Decode(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> eventType)
    {
        Text = null;
        IsDone = false;
        TextFound = false;
        _chunks++;
        _fromChunkBefore = false;
        _unchanged = SlotChange.None;
        var checkedBefore = _stringsChecked; // (the chunk before, when this one is found from it)
        _stringsChecked = false;
        CopyEvent(eventType);

        // White space decides nothing (an empty payload, the end marker, JSON or text), but a text payload is the bytes
        // as sent: its spaces and line breaks are part of the answer.
        var trimmed = TrimWhiteSpace(payload);
        if (trimmed.IsEmpty)
        {
            return false;
        }

        if (_plan.Done is { } done && trimmed.SequenceEqual(done))
        {
            IsDone = true;
            return true;
        }

        if (_fieldCount == 0 || (trimmed[0] != (byte)'{' && trimmed[0] != (byte)'['))
        {
            // Plain text (or JSON with nothing mapped): the payload is the text, where the framing carries text.
            if (!_plan.TextPayloads)
            {
                throw new InvalidChunkException($"a chunk is not JSON, but the call's resp items are read from JSON (stream_format {_plan.Framing.Name} without chunk_match): {Excerpt(payload)}");
            }

            _starts.AsSpan().Fill(-1);
            TextFound = _fieldCount > 0;
            try
            {
                Text = Cumulate(StrictUtf8.GetString(payload));
            }
            catch (DecoderFallbackException e)
            {
                throw new InvalidChunkException($"a chunk is not valid UTF-8 text: {Excerpt(payload)}", inner: e);
            }

            return true;
        }

        payload = trimmed;
        try
        {
            // Every chunk is read whole, whoever reads it: a malformed tail or an error key after the text is found by
            // StreamAsync as by CallAsync. KeepFields decides only whether the values are kept.
            _plan.Paths.Find(payload, _starts, _lengths, _scanMemo);
            _fromChunkBefore = _scanMemo.LastWasReplay && _foundAt == _chunks - 1;
            _foundAt = _chunks;
            var changed = SlotChange.None;
            foreach (var slot in _scanMemo.ChangedSlots)
            {
                if (_slotField[slot] >= 0)
                {
                    _fieldChangedAt[_slotField[slot]] = _chunks;
                    changed |= _plan.SlotChanges[slot];
                }
            }

            // (What IsUnchanged says of each item, said once per kind: the usual chunk, whose text alone changed.)
            _unchanged = _fromChunkBefore && _valuesFromSlotsAlone && !_eventChanged && SkipsUnchangedKinds ? (SlotChange.Joined | SlotChange.Set) & ~changed : SlotChange.None;
            if (_plan.Paths.NeedsDocument)
            {
                FindWithDocument(payload);
            }
        }
        catch (JsonException e)
        {
            throw new InvalidChunkException($"a chunk is not valid JSON ({e.Message.Split(" Path:")[0].TrimEnd('.')}): {Excerpt(payload)}", inner: e);
        }

        try
        {
            CheckInBandError(payload);
            ApplyFilters(payload);
            _textReadWholeStart = -1;
            _textConvertedStart = -1;
            _textOnlyText = null;
            Text = ReadText(payload);
            ValidateStrings(payload, checkedBefore && _fromChunkBefore);
            if (KeepFields)
            {
                StoreFields(payload);
            }
            else
            {
                CheckConverters(payload);
            }

            TextFound = Text is not null || Values(payload).AnyFound(_textSlots);
        }
        catch (Exception e) when (e is DecoderFallbackException || (e is InvalidOperationException && e.Message.Contains("UTF-", StringComparison.Ordinal)))
        {
            throw new InvalidChunkException($"a chunk holds a string that is not text (invalid UTF-8, or half a surrogate pair): {Excerpt(payload)}", inner: e);
        }

        return true;
    }

    private static string Excerpt(ReadOnlySpan<byte> payload) => Encoding.UTF8.GetString(payload.Length > 200 ? payload[..200] : payload);

    /// <summary>
    /// True when field <paramref name="i"/> has the value it had in the chunk decoded just before: this chunk was found
    /// from that one, and every slot of the field holds the same bytes (<see cref="ScanMemo.IsUnchanged"/>), in a plan
    /// where nothing else decides a value (no filters, no values read from a document, the same event type).
    /// </summary>
    private bool IsUnchanged(int i)
        => _fromChunkBefore && _valuesFromSlotsAlone && _fieldChangedAt[i] != _chunks && !(_eventChanged && _plan.EventFields[i]);

    /// <summary>A field's value in this chunk: by the one alternatives rule (<see cref="SlotValues.TryFirst"/>), else the SSE event type when the field reads it.</summary>
    private bool TryField(int field, ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> raw)
    {
        if (Values(payload).TryFirst(_plan.FieldSlots[field], out raw))
        {
            return true;
        }

        if (_plan.EventFields[field] && _eventLength > 0)
        {
            raw = _eventJson.AsSpan(0, _eventJsonLength);
            return true;
        }

        return false;
    }

    /// <summary>The values this chunk's one pass found, by slot.</summary>
    private SlotValues Values(ReadOnlySpan<byte> payload) => new(payload, _starts, _lengths, _documentValues);

    private bool TryRaw(int slot, ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> raw) => Values(payload).TryGet(slot, out raw);

    private byte[] _eventJson = [];
    private bool _eventChanged; // the event type differs from the chunk before's
    private int _eventJsonLength;

    private void CopyEvent(ReadOnlySpan<byte> eventType)
    {
        _eventChanged = false;
        if (eventType.Length == _eventLength && eventType.SequenceEqual(_event.AsSpan(0, _eventLength)))
        {
            return; // the same type as the chunk before (most events of a stream): its copies, JSON and text stand
        }

        _eventChanged = true;
        _eventText = null;
        _eventLength = eventType.Length;
        if (eventType.IsEmpty)
        {
            return;
        }

        if (_event.Length < eventType.Length)
        {
            _event = new byte[Math.Max(32, eventType.Length)];
        }

        eventType.CopyTo(_event);
        if (_plan.NeedsEventJson)
        {
            // The event as a JSON string, for @event fields and filters.
            var encoded = JsonEncodedText.Encode(eventType).EncodedUtf8Bytes;
            if (_eventJson.Length < encoded.Length + 2)
            {
                _eventJson = new byte[encoded.Length + 34];
            }

            _eventJson[0] = (byte)'"';
            encoded.CopyTo(_eventJson.AsSpan(1));
            _eventJson[encoded.Length + 1] = (byte)'"';
            _eventJsonLength = encoded.Length + 2;
        }
    }

    private void FindWithDocument(ReadOnlySpan<byte> payload)
    {
        Array.Clear(_documentValues);
        var reader = new Utf8JsonReader(payload);
        using var document = JsonDocument.ParseValue(ref reader);
        for (var slot = 0; slot < _plan.AllPaths.Count; slot++)
        {
            if (_plan.AllPaths[slot] is { } path && path.NeedsDocument && path.TryEvaluate(document.RootElement, out var value))
            {
                _documentValues[slot] = Encoding.UTF8.GetBytes(value.GetRawText());
            }
        }
    }

    private void CheckInBandError(ReadOnlySpan<byte> payload)
    {
        if (!_plan.Error.ChecksSuccessResponses)
        {
            return;
        }

        var values = Values(payload);
        if (!values.AnyFound(_plan.ErrorCodeSlots) && !values.AnyFound(_plan.ErrorMessageSlots))
        {
            return; // the usual chunk: no error key at all
        }

        var code = values.FirstNonNull(_plan.ErrorCodeSlots);
        var message = values.FirstNonNull(_plan.ErrorMessageSlots);
        if (_plan.Error.IsInBandError(code, message))
        {
            var vendorMessage = message.ValueKind is JsonValueKind.String or JsonValueKind.Number ? JsonValues.ToText(message) : null;
            var vendorCode = code.ValueKind is JsonValueKind.String or JsonValueKind.Number ? JsonValues.ToText(code) : null;
            throw new InvalidChunkException(
                $"the vendor sent an error inside the stream{(vendorMessage is null ? string.Empty : ": " + vendorMessage)}{(vendorCode is null ? string.Empty : $" (code {vendorCode})")}",
                vendorMessage,
                vendorCode);
        }
    }


    /// <summary>
    /// Checks that every string value found can be read as text, so that no field handed on fails later. Only strings with
    /// escapes or non-ASCII bytes need the check, and the text item is read anyway, so the usual chunk costs nothing.
    /// </summary>
    /// <param name="payload">The chunk.</param>
    /// <param name="checkedBefore">True when the chunk before passed this check and this one was found from it (<see cref="ScanMemo.IsUnchanged"/>).</param>
    private void ValidateStrings(ReadOnlySpan<byte> payload, bool checkedBefore)
    {
        for (var slot = 0; slot < _starts.Length; slot++)
        {
            // The text item is decoded (and so checked) anyway: checking it here too would double the work per chunk. So
            // is another item's value when it is the very value whose every string the text's converter decoded, and a
            // value whose bytes are those of the last chunk's, checked there (a stream's model, id, a usage that stays).
            if (_starts[slot] < 0 || _unchecked[slot] || (_starts[slot] == _textReadWholeStart && _lengths[slot] == _textReadWholeLength)
                || (checkedBefore && _scanMemo.IsUnchanged(slot)))
            {
                continue;
            }

            // Strings, and the strings inside objects and arrays (a usage object, a tool call): one vectorised UTF-8
            // check when there is no escape, as in sync answers (JsonValues.IsText).
            var raw = payload.Slice(_starts[slot], _lengths[slot]);
            if (raw[0] is (byte)'"' or (byte)'{' or (byte)'[' && (raw.IndexOf((byte)'\\') >= 0 || !System.Text.Ascii.IsValid(raw)) && !JsonValues.IsText(raw))
            {
                throw new InvalidChunkException($"a chunk holds a string that is not text (invalid UTF-8, or half a surrogate pair): {Excerpt(payload)}");
            }
        }

        _stringsChecked = true;
    }

    private void ApplyFilters(ReadOnlySpan<byte> payload)
    {
        if (_plan.Filters.Count == 0)
        {
            return; // nothing is ever skipped (_skipped stays all false)
        }

        Array.Clear(_skipped);
        for (var i = 0; i < _plan.Filters.Count; i++)
        {
            var filter = _plan.Filters[i];
            bool found;
            JsonElement value = default;
            if (StreamPlan.IsEvent(filter.Path))
            {
                found = _eventLength > 0;
                if (found)
                {
                    value = JsonValues.Parse(_eventJson.AsSpan(0, _eventJsonLength));
                }
            }
            else
            {
                found = TryRaw(_plan.FilterSlot + i, payload, out var raw);
                if (found)
                {
                    value = JsonValues.Parse(raw);
                }
            }

            if (!filter.Matches(found, value))
            {
                continue;
            }

            if (filter.FieldIndex < 0)
            {
                Array.Fill(_skipped, true);
            }
            else
            {
                _skipped[filter.FieldIndex] = true;
            }
        }
    }

    private void StoreFields(ReadOnlySpan<byte> payload)
    {
        var storedBefore = _storedAt == _chunks - 1;
        _storedAt = _chunks;
        if (storedBefore && (_unchanged & SlotChange.Set) != 0)
        {
            // Every value kept as the chunk gives it is the chunk before's (IsUnchanged of each, known for the kind): only
            // the items that add per chunk are read.
            foreach (var i in _plan.AddingFields)
            {
                StoreField(i, payload);
            }

            return;
        }

        var textIndex = _plan.Response.TextIndex;
        var fields = _plan.Response.Fields;
        for (var i = 0; i < fields.Length; i++)
        {
            if (i == textIndex || (storedBefore && fields[i].ToolCall is null && !fields[i].Join && IsUnchanged(i)))
            {
                continue; // (the text is the update's own;) kept from the chunk before: the same value (or none)
            }

            StoreField(i, payload);
        }
    }

    /// <summary>Keeps item <paramref name="i"/>'s value in this chunk (its pieces, for a tool_call or joined item).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // (per item of every chunk: in both of StoreFields's loops)
    private void StoreField(int i, ReadOnlySpan<byte> payload)
    {
        if (_skipped[i] || !TryField(i, payload, out var raw) || IsNull(raw))
        {
            return;
        }

        var field = _plan.Response.Fields[i];
        if (field.ToolCall is not null)
        {
            // Pieces of tool calls, joined by their key; the whole calls are the item's final value.
            if (KeepToolCalls)
            {
                AddToolCalls(i, raw);
            }
        }
        else if (field.Join)
        {
            // Reasoning deltas and the like: the final value is all the pieces, in order (read from the raw JSON when the
            // converter can: Gemini's thoughts, per chunk).
            Fields.Append(i, field.Converter is null && raw[0] == (byte)'"'
                ? JsonStrings.Decode(raw)
                : field.Converter is IRawTextConverter fast && TryConvertJoined(i, fast, raw, payload, out var piece)
                    ? NoteConverted(i, piece) ?? string.Empty
                    : ResponseMap.TextOf(field, ResponseMap.Convert(field, JsonValues.Parse(raw), _callDescription)));
        }
        else
        {
            Fields.Set(i, raw);
        }
    }

    /// <summary>
    /// A joined item's piece by its converter: when the text's converter read the same value in this chunk and found it
    /// to hold only one text (Gemini's usual chunk, whose thoughts are then none), from that text without a second reading.
    /// </summary>
    private bool TryConvertJoined(int i, IRawTextConverter converter, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> payload, out string? piece)
    {
        if (_textOnlyText is { } onlyText && _plan.ReadsTheTextsValues[i] && ReadByTheTextsConverter(raw, payload))
        {
            piece = converter.TextOfOnlyText(onlyText);
            return true;
        }

        return converter.TryConvertText(raw, wantText: true, out piece, out _, out _);
    }

    /// <summary>
    /// Notes that field <paramref name="i"/>'s converter made <paramref name="piece"/> of its value in this chunk: when
    /// that is null (JSON null: Gemini's thoughts in a chunk of text), its snapshot's mark needs no second conversion.
    /// </summary>
    private string? NoteConverted(int i, string? piece)
    {
        if (piece is null)
        {
            if (_convertedToNullAt.Length == 0)
            {
                _convertedToNullAt = new int[_fieldCount];
            }

            _convertedToNullAt[i] = _chunks;
        }

        return piece;
    }

    /// <summary>True when field <paramref name="i"/>'s converter made JSON null of its value in this chunk (<see cref="NoteConverted"/>).</summary>
    private bool ConvertedToNullHere(int i) => _convertedToNullAt.Length > 0 && _convertedToNullAt[i] == _chunks;

    private int[] _convertedToNullAt = []; // per field: the last chunk whose value its converter made JSON null

    /// <summary>
    /// A chunk's pieces of tool calls, unless its value could hold none in the chunk before and this chunk was found from
    /// that one (<see cref="_fromChunkBefore"/>): then its names, the keys looked for, are the same bytes, and only
    /// values differ (the text of Anthropic's events, whose tool_call item is the whole event).
    /// </summary>
    private void AddToolCalls(int field, ReadOnlySpan<byte> raw)
    {
        if (_noToolCallAt.Length == 0)
        {
            _noToolCallAt = new int[_fieldCount];
            _noToolCallAt.AsSpan().Fill(-1);
        }

        if (_fromChunkBefore && _noToolCallAt[field] == _chunks - 1)
        {
            _noToolCallAt[field] = _chunks;
            return;
        }

        _noToolCallAt[field] = Fields.AddToolCalls(field, raw) ? -1 : _chunks;
    }

    /// <summary>
    /// Runs the converters of the items other than the text, as <see cref="StoreFields"/> does, without keeping the values:
    /// a value that a converter rejects fails the stream however it is read.
    /// </summary>
    private void CheckConverters(ReadOnlySpan<byte> payload)
    {
        // A value with the same bytes as in the chunk before, whose check passed there, passes again (a converter is a
        // function of its value): only the items that changed are converted.
        var checkedBefore = _convertersCheckedAt == _chunks - 1;
        var fields = _plan.Response.Fields;
        var converterFields = _plan.ConverterFields;
        for (var c = 0; c < converterFields.Length; c++)
        {
            var i = converterFields[c];
            if (!_skipped[i] && !(checkedBefore && IsUnchanged(i)) && TryField(i, payload, out var raw) && !IsNull(raw)
                && !(_plan.RawConverters[c] is { } fast && ((_plan.ReadsTheTextsValues[i] && ReadByTheTextsConverter(raw, payload)) || fast.TryConvertText(raw, wantText: false, out _, out _, out _))))
            {
                _ = ResponseMap.Convert(fields[i], JsonValues.Parse(raw), _callDescription);
            }
        }

        _convertersCheckedAt = _chunks;
    }

    /// <summary>
    /// True when the text's converter read <paramref name="raw"/> itself in this chunk: a converter that reads the same
    /// values (<see cref="IRawTextConverter.ReadsTheSameValuesAs"/>) then needs no second reading to know it is accepted,
    /// as Gemini's thoughts of the parts whose text was just read.
    /// </summary>
    private bool ReadByTheTextsConverter(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> payload)
        => _textConvertedStart >= 0 && payload.Overlaps(raw, out var offset) && offset == _textConvertedStart && raw.Length == _textConvertedLength;

    private string? ReadText(ReadOnlySpan<byte> payload)
    {
        var index = _textField is null ? -1 : _plan.Response.TextIndex;
        if (index < 0 || _skipped[index] || !TryField(index, payload, out var raw) || IsNull(raw))
        {
            return null;
        }

        var field = _textField!;
        if (_cumulative is not null && field.Converter is null && raw[0] == (byte)'"')
        {
            return _cumulative.NextJsonString(raw);
        }

        string text;
        if (field.Converter is null && raw[0] == (byte)'"')
        {
            // The usual piece of text: the bytes between the quotes, checked as UTF-8, when it has no escape.
            text = JsonStrings.Decode(raw);
        }
        else if (field.Converter is IRawTextConverter fast && fast.TryConvertText(raw, wantText: true, out var converted, out var readAll, out var onlyText))
        {
            text = converted ?? string.Empty; // JSON null's text
            if (payload.Overlaps(raw, out var offset))
            {
                (_textConvertedStart, _textConvertedLength) = (offset, raw.Length);
                _textOnlyText = onlyText ? converted : null;
                if (readAll)
                {
                    (_textReadWholeStart, _textReadWholeLength) = (offset, raw.Length);
                }
            }
        }
        else
        {
            text = ResponseMap.TextOf(field, ResponseMap.Convert(field, JsonValues.Parse(raw), _callDescription));
        }

        // The text field's final value is the whole text, which the runner keeps; it is not copied per chunk.
        return Cumulate(text);
    }

    /// <summary>In cumulative mode each chunk repeats all text so far: yield only what is new.</summary>
    private string Cumulate(string text) => _cumulative is null ? text : _cumulative.Next(text);

    private static bool IsNull(ReadOnlySpan<byte> raw) => SlotValues.IsNull(raw);

    /// <summary>JSON's white space off both ends (a loop: the usual payload has none, and this runs per chunk).</summary>
    private static ReadOnlySpan<byte> TrimWhiteSpace(ReadOnlySpan<byte> payload)
    {
        var start = 0;
        while (start < payload.Length && payload[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            start++;
        }

        var end = payload.Length;
        while (end > start && payload[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            end--;
        }

        return payload[start..end];
    }

    public void Dispose()
    {
        Fields.Dispose();
        _scanMemo.Dispose();
        _cumulative?.Dispose();
    }
}
