using System.Security.Cryptography;
using System.Text.Json;

namespace LoanOffers.Storage.AzureTables;

/// <summary>Who made a change, and from where.</summary>
public sealed record AuditActor(string Subject, string Role, string? ClientAddress)
{
    /// <summary>The engine itself, acting on a schedule.</summary>
    public static readonly AuditActor Scheduler = new("scheduler", "system", null);
}

/// <summary>What is recorded of one change, before it has its place in the chain.</summary>
public sealed record AuditRecord(AuditActor Actor, string Action, string Target, string? Before, string? After, IReadOnlyList<string> Changes);

/// <summary>
/// One entry of the audit trail: who (subject, role), what (action, target), when, from where, the state before and
/// after (JSON) with the changed paths, and the hash of the entry before it, which chains every entry to all earlier ones.
/// </summary>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset At,
    string Subject,
    string Role,
    string? ClientAddress,
    string Action,
    string Target,
    string? Before,
    string? After,
    IReadOnlyList<string> Changes,
    string PreviousHash,
    string Hash)
{
    /// <summary>The hash the first entry names as its predecessor.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>SHA-256 over every field but the hash itself, as JSON, so no field boundary is ambiguous.</summary>
    public static string ComputeHash(long sequence, DateTimeOffset at, AuditRecord record, string previousHash)
    {
        var canonical = JsonSerializer.SerializeToUtf8Bytes(new object?[]
        {
            sequence, at.ToUniversalTime().ToString("O"), record.Actor.Subject, record.Actor.Role, record.Actor.ClientAddress,
            record.Action, record.Target, record.Before, record.After, record.Changes, previousHash,
        });
        return Convert.ToHexStringLower(SHA256.HashData(canonical));
    }

    public AuditRecord ToRecord() => new(new AuditActor(Subject, Role, ClientAddress), Action, Target, Before, After, Changes);

    /// <summary>Whether the entry's hash matches its content.</summary>
    public bool IsIntact => Hash == ComputeHash(Sequence, At, ToRecord(), PreviousHash);
}

/// <summary>A page of the audit trail, newest first, and the token for the next page (null on the last).</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, string? Continuation);

/// <summary>What a check of the whole chain found.</summary>
public sealed record AuditVerification(long Entries, long HeadSequence, IReadOnlyList<string> Problems)
{
    public bool Intact => Problems.Count == 0;
}

/// <summary>What to look for in the audit trail.</summary>
public sealed record AuditQuery(DateTimeOffset? From, DateTimeOffset? To, string? Actor, string? Action, int Limit, string? Continuation);

internal static class AuditJson
{
    public static string Changes(IReadOnlyList<string> changes) => JsonSerializer.Serialize(changes);

    public static IReadOnlyList<string> Changes(string? json) => json is null ? [] : JsonSerializer.Deserialize<string[]>(json) ?? [];

    public static string Key(long sequence) => (long.MaxValue - sequence).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    public static long Sequence(string rowKey) => long.MaxValue - long.Parse(rowKey, System.Globalization.CultureInfo.InvariantCulture);
}
