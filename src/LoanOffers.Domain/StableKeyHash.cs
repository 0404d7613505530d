namespace LoanOffers.Domain;

/// <summary>A hash of a string that is the same in every process and version, unlike <see cref="HashCode"/>: for choosing rows by key.</summary>
public static class StableKeyHash
{
    /// <summary>64-bit FNV-1a over the string's UTF-16 code units.</summary>
    public static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var character in text)
        {
            hash = (hash ^ character) * 1099511628211UL;
        }

        return hash;
    }
}
