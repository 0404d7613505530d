using System.Globalization;
using Orleans;

namespace LoanOffers.Domain;

/// <summary>
/// A lending program as the lending team configures it (seed 000's program YAML), plus <see cref="Version"/>,
/// <see cref="TimeZone"/> and <see cref="ProcessingFeePercent"/>. Build it with <see cref="ProgramConfigParser"/>,
/// which validates it; a constructed instance is assumed valid.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ProgramConfig")]
public sealed record ProgramConfig
{
    public const string DefaultTimeZone = "UTC";
    public const decimal DefaultProcessingFeePercent = 1.5m;
    public const decimal MaxProcessingFeePercent = 5m;

    [Id(0)] public required string ProgramId { get; init; }
    [Id(1)] public required string ProgramName { get; init; }
    [Id(2)] public bool Enabled { get; init; }
    [Id(3)] public int Version { get; init; } = 1;
    [Id(4)] public IReadOnlyList<string> Marketplaces { get; init; } = [];
    [Id(5)] public IReadOnlyList<DataConnectorConfig> DataConnectors { get; init; } = [];
    [Id(6)] public IReadOnlyList<ScoringModelConfig> ScoringModels { get; init; } = [];
    [Id(7)] public IReadOnlyList<FilterDefinition> FilterChain { get; init; } = [];
    [Id(8)] public IReadOnlyList<ChannelConfig> Channels { get; init; } = [];
    [Id(9)] public required LoanOfferStrategy LoanOfferStrategy { get; init; }
    [Id(10)] public RegulatoryCompliance? RegulatoryCompliance { get; init; }
    [Id(11)] public required string BatchSchedule { get; init; }
    [Id(12)] public int CandidateTtlDays { get; init; } = 90;

    /// <summary>IANA time zone the batch schedule is read in.</summary>
    [Id(13)] public string TimeZone { get; init; } = DefaultTimeZone;

    /// <summary>Processing (origination) fee as a percent of the amount, charged up front and part of the APR.</summary>
    [Id(14)] public decimal ProcessingFeePercent { get; init; } = DefaultProcessingFeePercent;

    public bool IsUsOnly => Marketplaces.Count > 0 && Marketplaces.All(m => m == "US");
}

[GenerateSerializer, Immutable, Alias("loanoffers.DataConnectorConfig")]
public sealed record DataConnectorConfig(string ConnectorId, string Type, IReadOnlyDictionary<string, string> Config);

public static class ChannelTypes
{
    public const string Email = "email";
    public const string InApp = "in-app";
    public const string Sms = "sms";
    public const string Push = "push";

    public static readonly IReadOnlyList<string> All = [Email, InApp, Sms, Push];
}

public static class DataConnectorTypes
{
    /// <summary>A CSV file of <see cref="CustomerCsvReader"/> columns; config <c>path</c>.</summary>
    public const string Csv = "csv";

    /// <summary><see cref="SyntheticCustomers"/>; config <c>count</c> and <c>seed</c>.</summary>
    public const string Synthetic = "synthetic";

    /// <summary>Seed 000's warehouse: accepted so the seed parses, but there is no Snowflake client here.</summary>
    public const string Snowflake = "snowflake";

    public static readonly IReadOnlyList<string> All = [Csv, Synthetic, Snowflake];

    public static bool IsRunnable(string type) => type is Csv or Synthetic;
}

/// <summary>
/// A model the program scores with: its id, where it is served, the features it takes (any column the program's
/// connector supplies) and, optionally, its role (<see cref="ModelRoles"/>), which must then match its card, and a
/// challenger: a model of the same role scored beside it on every customer, recorded and never acted on.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ScoringModelConfig")]
public sealed record ScoringModelConfig(string ModelId, string Endpoint, IReadOnlyList<string> Features)
{
    [Id(3)] public string? Role { get; init; }

    [Id(4)] public string? Challenger { get; init; }
}

/// <summary>One filter of the chain; which parameters apply depends on <see cref="FilterKinds"/>.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.FilterDefinition")]
public sealed record FilterDefinition(string FilterId, string Type, int Order, FilterParameters Parameters);

/// <summary>
/// Typed filter parameters (every one optional; the filter supplies the default). The parser only accepts the
/// ones the filter's kind reads, so a misspelt parameter is an error rather than a silently ignored rule.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.FilterParameters")]
public sealed record FilterParameters
{
    public static readonly FilterParameters None = new();

    [Id(0)] public int? MinCreditScore { get; init; }
    [Id(1)] public decimal? MaxDebtToIncome { get; init; }
    /// <summary>Months without a late payment required; the profile records the last 12, so at most 12.</summary>
    [Id(2)] public int? MinPaymentHistory { get; init; }
    [Id(3)] public bool? CheckIncomeStability { get; init; }
    [Id(4)] public bool? CheckEmploymentStatus { get; init; }
    [Id(5)] public int? MinMonthsEmployed { get; init; }
    [Id(6)] public decimal? MinLoanAmount { get; init; }
    [Id(7)] public int? WindowDays { get; init; }
    [Id(8)] public bool? CheckStateLaws { get; init; }
    [Id(9)] public bool? CheckFederalCompliance { get; init; }
    [Id(10)] public IReadOnlyList<string>? ExcludedStates { get; init; }
}

/// <summary>A delivery channel; <see cref="Config"/> keeps the channel's own keys as written, read through the properties below.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ChannelConfig")]
public sealed record ChannelConfig(string ChannelId, string Type, bool Enabled, int Priority, IReadOnlyDictionary<string, string> Config)
{
    /// <summary>The local time of day an email goes out (<c>sendTime</c>, <c>HH:mm</c>); null sends at any time quiet hours allow.</summary>
    public TimeOnly? SendTime => Config.TryGetValue("sendTime", out var value) && TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time : null;

    /// <summary>Only customers whose offer is in the excellent tier get this channel (<c>excellentCreditOnly</c>).</summary>
    public bool ExcellentCreditOnly => Config.TryGetValue("excellentCreditOnly", out var value) && bool.TryParse(value, out var only) && only;

    /// <summary>An SMS channel's text, with <c>{loanAmount}</c>, <c>{apr}</c> and <c>{link}</c> placeholders.</summary>
    public string? Message => Config.GetValueOrDefault("message");

    /// <summary>Where an in-app banner shows.</summary>
    public string? Placement => Config.GetValueOrDefault("placement");

    /// <summary>How many days an in-app banner shows after the offer was made (<c>displayDuration</c>).</summary>
    public int? DisplayDays => Config.TryGetValue("displayDuration", out var value) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) ? days : null;
}

[GenerateSerializer, Immutable, Alias("loanoffers.LoanOfferStrategy")]
public sealed record LoanOfferStrategy(bool Enabled, bool SegmentedOffers, IReadOnlyList<OfferSegment> Segments);

/// <summary>A credit tier: the credit score range it covers and the terms it offers at most.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.OfferSegment")]
public sealed record OfferSegment(
    string CreditTier,
    int MinCreditScore,
    int MaxCreditScore,
    decimal MaxLoanAmount,
    decimal InterestRate,
    int TermMonths)
{
    public bool Covers(int creditScore) => creditScore >= MinCreditScore && creditScore <= MaxCreditScore;
}

[GenerateSerializer, Immutable, Alias("loanoffers.RegulatoryCompliance")]
public sealed record RegulatoryCompliance(
    bool Enabled,
    bool TruthInLending,
    bool FairLending,
    bool EqualCreditOpportunity,
    IReadOnlyList<Disclosure> Disclosures);

[GenerateSerializer, Immutable, Alias("loanoffers.Disclosure")]
public sealed record Disclosure(string Type, bool Required);
