using System.Collections;

namespace CodeMentor.Tests.Support;

/// <summary>What OpenTelemetry's in-memory exporter adds, from its own thread, for a test to read as a copy. A plain list
/// read while the exporter adds to it fails now and then (<c>ToList</c> takes the count, then copies: "Destination array
/// was not long enough", seen in CI).</summary>
public sealed class ExportedItems<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    /// <summary>Everything exported so far.</summary>
    public T[] Snapshot()
    {
        lock (_items)
        {
            return [.. _items];
        }
    }

    public void Add(T item)
    {
        lock (_items)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_items)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item)
    {
        lock (_items)
        {
            return _items.Contains(item);
        }
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_items)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (_items)
        {
            return _items.Remove(item);
        }
    }

    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Snapshot()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
