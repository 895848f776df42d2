using System.Collections;
using Microsoft.Extensions.AI;

namespace LlmAdapters.AI;

/// <summary>
/// A streamed <see cref="ChatResponseUpdate"/>'s contents. Most updates carry one (the text piece): it is held here in
/// place, rather than in a <see cref="List{T}"/> and that list's array, so that each update costs one object fewer.
/// Any other change moves the items into a list of their own, which then does the work; so it behaves as a
/// <see cref="List{T}"/> does, exceptions included.
/// </summary>
internal sealed class UpdateContents : IList<AIContent>
{
    private AIContent? _one;
    private bool _hasOne;
    private List<AIContent>? _many;
    private int _version; // changes made before _many (an enumeration of the one item then fails, as a list's does)

    public int Count => _many?.Count ?? (_hasOne ? 1 : 0);

    public bool IsReadOnly => false;

    public AIContent this[int index]
    {
        get => _many is not null ? _many[index] : _hasOne && index == 0 ? _one! : throw new ArgumentOutOfRangeException(nameof(index));
        set
        {
            Many()[index] = value;
            _version++;
        }
    }

    public void Add(AIContent item)
    {
        _version++;
        if (_many is null && !_hasOne)
        {
            _one = item;
            _hasOne = true;
            return;
        }

        Many().Add(item);
    }

    public void Clear()
    {
        _version++;
        Many().Clear();
    }

    public bool Contains(AIContent item) => IndexOf(item) >= 0;

    public void CopyTo(AIContent[] array, int arrayIndex) => Many().CopyTo(array, arrayIndex); // (rare: the list's checks, as they are)

    public int IndexOf(AIContent item)
        => _many is not null ? _many.IndexOf(item) : _hasOne && EqualityComparer<AIContent>.Default.Equals(_one, item) ? 0 : -1;

    public void Insert(int index, AIContent item)
    {
        Many().Insert(index, item);
        _version++;
    }

    public bool Remove(AIContent item)
    {
        var removed = Many().Remove(item);
        _version += removed ? 1 : 0;
        return removed;
    }

    public void RemoveAt(int index)
    {
        Many().RemoveAt(index);
        _version++;
    }

    public IEnumerator<AIContent> GetEnumerator() => _many is not null ? _many.GetEnumerator() : One();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerator<AIContent> One()
    {
        var version = _version;
        if (_hasOne)
        {
            yield return _one!;
        }

        if (version != _version)
        {
            throw new InvalidOperationException("Collection was modified; enumeration operation may not execute.");
        }
    }

    private List<AIContent> Many()
    {
        if (_many is null)
        {
            _many = _hasOne ? [_one!] : [];
            _one = null;
            _hasOne = false;
        }

        return _many;
    }
}
