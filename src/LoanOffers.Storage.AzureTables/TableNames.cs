using System.Text;
using Azure.Data.Tables;
using System.Text.RegularExpressions;

namespace LoanOffers.Storage.AzureTables;

/// <summary>Azure table naming and key rules in one place.</summary>
public static partial class TableNames
{
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableNamePattern();

    public static bool IsValidTableName(string? name) => name is not null && TableNamePattern().IsMatch(name);

    /// <summary>Which of <paramref name="names"/> exist, asked in one table query.</summary>
    public static Task<List<string>> ExistingAsync(TableServiceClient service, IEnumerable<string> names, CancellationToken cancellationToken) =>
        service.QueryAsync(string.Join(" or ", names.Select(name => TableClient.CreateQueryFilter($"TableName eq {name}"))), cancellationToken: cancellationToken)
            .Select(table => table.Name)
            .ToListAsync(cancellationToken)
            .AsTask();

    /// <summary>
    /// Escapes a value for use in a PartitionKey or RowKey: '/', '\', '#', '?', '|' (our separator), control characters and '%' itself
    /// become %XX, so any grain id or reminder name maps to a distinct, legal key.
    /// </summary>
    public static string EscapeKey(string value)
    {
        if (!NeedsEscaping(value))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var ch in value)
        {
            if (IsForbidden(ch))
            {
                builder.Append('%').Append(((int)ch).ToString("X2"));
            }
            else
            {
                builder.Append(ch);
            }
        }

        return builder.ToString();
    }

    private static bool NeedsEscaping(string value)
    {
        foreach (var ch in value)
        {
            if (IsForbidden(ch))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsForbidden(char ch) =>
        ch is '/' or '\\' or '#' or '?' or '%' or '|' || char.IsControl(ch);
}
