using Orleans;

namespace LoanOffers.Abstractions;

/// <summary>The engine's scheduled reports: the nightly metrics aggregation, the daily origination report and the weekly warehouse export.</summary>
[Alias("loanoffers.IReportsGrain")]
public interface IReportsGrain : IGrainWithStringKey
{
    /// <summary>The one reports grain of the engine.</summary>
    public const string Key = "reports";

    /// <summary>Arms the schedule's reminder; idempotent, called by every silo as it starts.</summary>
    Task Start();

    /// <summary>Queues a report of a business day now, whatever the schedule; returns the queue and the job at work.</summary>
    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<ReportsStatus> Request(ReportRequest request);

    [ResponseTimeout(ApiCalls.ResponseTimeout)]
    Task<ReportsStatus> GetStatus();
}

public static class ReportKinds
{
    /// <summary>The nightly metrics aggregation: running totals per program, run, tier and channel, and live offers.</summary>
    public const string Totals = "totals";

    /// <summary>The daily origination report, built from the totals.</summary>
    public const string Daily = "daily";

    /// <summary>The weekly warehouse export (Parquet to blob storage) of the week the day falls in.</summary>
    public const string Export = "export";

    public static readonly IReadOnlyList<string> All = [Totals, Daily, Export];
}

/// <summary>A report to make: its kind and business day, and who asked (the schedule, or a person).</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ReportRequest")]
public sealed record ReportRequest(string Kind, DateOnly Day, string RequestedBy);

/// <summary>What the reports grain is doing and did last.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ReportsStatus")]
public sealed record ReportsStatus(IReadOnlyList<ReportRequest> Queued, ReportRequest? Working, ReportOutcome? Last);

/// <summary>How the last report went: made (with its rows), or failed with a one-line cause.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ReportOutcome")]
public sealed record ReportOutcome(ReportRequest Request, DateTimeOffset FinishedAt, int Rows, string? Error);
