using Orleans;

namespace LoanOffers.Abstractions;

/// <summary>Every program the engine has been given, so the console, the reports and the export can find them all.</summary>
[Alias("loanoffers.IProgramCatalogGrain")]
public interface IProgramCatalogGrain : IGrainWithStringKey
{
    /// <summary>The one catalog of the engine.</summary>
    public const string Key = "all";

    /// <summary>Records the program's latest version; an older version than the one recorded changes nothing.</summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task Register(ProgramSummary program);

    /// <summary>Every program, by id.</summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<IReadOnlyList<ProgramSummary>> List();
}

/// <summary>A program's identity and latest version.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ProgramSummary")]
public sealed record ProgramSummary(string ProgramId, string ProgramName, int Version, bool Enabled, DateTimeOffset UpdatedAt);
