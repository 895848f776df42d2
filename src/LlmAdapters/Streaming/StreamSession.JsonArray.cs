namespace LlmAdapters.Streaming;

internal sealed partial class StreamSession
{
    private enum ArrayState
    {
        BeforeArray,
        BetweenElements,
        InElement,
        AfterArray,
    }

    private ArrayState _arrayState;
    private int _depth;
    private bool _inString;
    private bool _escaped;

    // Between elements: true after an element (a ',' or the closing ']' must come), false after '[' or ',' (an element must
    // come; ']' only right after '['). A missing or extra comma is an error, not a silently different answer.
    private bool _afterElement;
    private bool _afterComma;

    /// <summary>
    /// False to read an element's bytes through <see cref="ScanArray"/>'s state switch, one by one (the differential
    /// tests' reference for <see cref="ScanElement"/>).
    /// </summary>
    public bool ScansInOneLoop { get; set; } = true;

    /// <summary>json-array: the body is one JSON array, and each element is a chunk as soon as its closing byte arrives.</summary>
    private StepKind StepJsonArray()
    {
        while (true)
        {
            var produced = ScanArray(out var elementStart, out var elementLength);
            if (!produced)
            {
                if (_eof)
                {
                    if (_arrayState != ArrayState.AfterArray)
                    {
                        Truncation = _arrayState == ArrayState.BeforeArray && _start == _end
                            ? "the body was empty where a JSON array was expected"
                            : "the body ended before the JSON array was closed";
                    }

                    return StepKind.End;
                }

                if (_end - _start > _maxLine)
                {
                    throw new InvalidChunkException($"an element of the streamed JSON array is longer than the limit of {_maxLine} bytes (MaxStreamLineBytes)");
                }

                return StepKind.NeedMore;
            }

            var result = DecodeBuffered(elementStart, elementLength, default);
            if (result is { } kind)
            {
                return kind;
            }
        }
    }

    private bool ScanArray(out int elementStart, out int elementLength)
    {
        elementStart = elementLength = 0;
        var i = _scan;
        while (i < _end)
        {
            var b = _buffer[i];
            switch (_arrayState)
            {
                case ArrayState.BeforeArray:
                    if (b == (byte)'[')
                    {
                        _arrayState = ArrayState.BetweenElements;
                        _afterElement = _afterComma = false;
                    }
                    else if (!IsWhitespace(b))
                    {
                        throw new InvalidChunkException($"the body should be a JSON array (stream_format json-array) but starts with '{(char)b}'");
                    }

                    _start = ++i;
                    break;
                case ArrayState.BetweenElements:
                    if (IsWhitespace(b))
                    {
                        _start = ++i;
                    }
                    else if (b == (byte)']')
                    {
                        if (_afterComma)
                        {
                            throw new InvalidChunkException("the streamed JSON array has a ',' before its closing ']'");
                        }

                        _arrayState = ArrayState.AfterArray;
                        _start = ++i;
                    }
                    else if (b == (byte)',')
                    {
                        if (!_afterElement)
                        {
                            throw new InvalidChunkException("the streamed JSON array has a ',' where an element should be");
                        }

                        _afterElement = false;
                        _afterComma = true;
                        _start = ++i;
                    }
                    else if (_afterElement)
                    {
                        throw new InvalidChunkException($"the streamed JSON array has '{(char)b}' where a ',' or ']' should follow an element");
                    }
                    else if (b is (byte)'}' or (byte)':')
                    {
                        throw new InvalidChunkException($"the streamed JSON array has '{(char)b}' where an element should start");
                    }
                    else
                    {
                        _arrayState = ArrayState.InElement;
                        _start = i;
                        _depth = 0;
                        _inString = false;
                        _escaped = false;
                    }

                    break;
                case ArrayState.InElement:
                    if (ScansInOneLoop)
                    {
                        if (ScanElement(ref i, out var elementEnd))
                        {
                            return EndElement(elementEnd, out elementStart, out elementLength);
                        }

                        break; // (at the end of what has arrived)
                    }

                    if (_inString)
                    {
                        if (_escaped)
                        {
                            _escaped = false;
                        }
                        else if (b == (byte)'\\')
                        {
                            _escaped = true;
                        }
                        else if (b == (byte)'"')
                        {
                            _inString = false;
                            if (_depth == 0)
                            {
                                return EndElement(i + 1, out elementStart, out elementLength);
                            }
                        }

                        i++;
                        break;
                    }

                    if (b == (byte)'"')
                    {
                        _inString = true;
                    }
                    else if (b is (byte)'{' or (byte)'[')
                    {
                        _depth++;
                    }
                    else if (b is (byte)'}' or (byte)']')
                    {
                        if (_depth == 0)
                        {
                            if (b == (byte)'}')
                            {
                                throw new InvalidChunkException("the streamed JSON array has a '}' that closes nothing");
                            }

                            // The array's own ']' right after a number or literal element.
                            return EndElement(i, out elementStart, out elementLength);
                        }

                        if (--_depth == 0)
                        {
                            return EndElement(i + 1, out elementStart, out elementLength);
                        }
                    }
                    else if (_depth == 0 && (b == (byte)',' || IsWhitespace(b)))
                    {
                        return EndElement(i, out elementStart, out elementLength);
                    }

                    i++;
                    break;
                default:
                    if (!IsWhitespace(b))
                    {
                        throw new InvalidChunkException("the body has more after its JSON array");
                    }

                    _start = ++i;
                    break;
            }
        }

        _scan = i;
        return false;
    }

    /// <summary>
    /// The rest of the current element from <paramref name="i"/>, in one loop with its state in locals: the decisions of
    /// <see cref="ScanArray"/>'s InElement case, byte for byte, without its switch over the states per byte (an element
    /// is some hundreds of bytes). True when the element ended, at <paramref name="elementEnd"/>; else <paramref name="i"/>
    /// is the end of what has arrived.
    /// </summary>
    private bool ScanElement(ref int i, out int elementEnd)
    {
        var buffer = _buffer;
        var end = _end;
        var depth = _depth;
        var inString = _inString;
        var escaped = _escaped;
        elementEnd = -1;
        while (i < end)
        {
            var b = buffer[i];
            if (inString)
            {
                if (escaped)
                {
                    escaped = false;
                }
                else if (b == (byte)'\\')
                {
                    escaped = true;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                    if (depth == 0)
                    {
                        elementEnd = ++i; // a string element
                        break;
                    }
                }

                i++;
                continue;
            }

            if (b == (byte)'"')
            {
                inString = true;
            }
            else if (b is (byte)'{' or (byte)'[')
            {
                depth++;
            }
            else if (b is (byte)'}' or (byte)']')
            {
                if (depth == 0)
                {
                    if (b == (byte)'}')
                    {
                        throw new InvalidChunkException("the streamed JSON array has a '}' that closes nothing");
                    }

                    elementEnd = i; // the array's own ']' right after a number or literal element
                    break;
                }

                if (--depth == 0)
                {
                    elementEnd = ++i;
                    break;
                }
            }
            else if (depth == 0 && (b == (byte)',' || IsWhitespace(b)))
            {
                elementEnd = i; // the end of a number or literal element
                break;
            }

            i++;
        }

        (_depth, _inString, _escaped) = (depth, inString, escaped);
        return elementEnd >= 0;
    }

    private bool EndElement(int end, out int elementStart, out int elementLength)
    {
        elementStart = _start;
        elementLength = end - _start;
        _arrayState = ArrayState.BetweenElements;
        _afterElement = true;
        _afterComma = false;
        _start = _scan = end;
        return true;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
