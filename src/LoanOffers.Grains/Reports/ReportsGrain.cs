using LoanOffers.Abstractions;
using LoanOffers.Domain.Reports;
using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;

namespace LoanOffers.Grains;

[GenerateSerializer, Immutable, Alias("loanoffers.ReportsState")]
public sealed record ReportsState
{
    /// <summary>Schedules count from here, so a first start does not make every report of the past.</summary>
    [Id(0)] public DateTimeOffset? Anchor { get; init; }

    /// <summary>The latest scheduled occurrence of each kind that has been queued.</summary>
    [Id(1)] public IReadOnlyDictionary<string, DateTimeOffset> LastScheduled { get; init; } = new Dictionary<string, DateTimeOffset>();

    /// <summary>Reports waiting, oldest first; kept durably so a crash loses none.</summary>
    [Id(2)] public IReadOnlyList<ReportRequest> Queue { get; init; } = [];

    [Id(3)] public ReportOutcome? Last { get; init; }
}

/// <summary>
/// Makes the reports on their schedules (a durable reminder looks for what is due) and on demand, one at a time, in a
/// background loop off the grain's turns; the queue is durable, and a report is made whole again if interrupted.
/// </summary>
[GrainType(EngineNames.ReportsGrainType)]
public sealed partial class ReportsGrain(
    [PersistentState("reports")] IPersistentState<ReportsState> state,
    OriginationAggregator aggregator,
    WarehouseExporter exporter,
    ReportStore store,
    TimeProvider time,
    IOptions<ReportsOptions> options,
    ILogger<ReportsGrain> logger) : Grain, IReportsGrain, IRemindable
{
    private const string ScheduleReminder = "reports";

    private Task? _loop;
    private Task _saving = Task.CompletedTask;
    private ReportRequest? _working;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        StartLoop();
        return Task.CompletedTask;
    }

    public async Task Start()
    {
        if (state.State.Anchor is null)
        {
            state.State = state.State with { Anchor = time.GetUtcNow() };
            await SaveAsync();
        }

        await this.RegisterOrUpdateReminder(ScheduleReminder, options.Value.CheckPeriod, options.Value.CheckPeriod);
    }

    public async Task<ReportsStatus> Request(ReportRequest request)
    {
        await EnqueueAsync([request]);
        return Status();
    }

    public Task<ReportsStatus> GetStatus() => Task.FromResult(Status());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var now = time.GetUtcNow();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);
        var due = new List<ReportRequest>();
        var scheduled = new Dictionary<string, DateTimeOffset>(state.State.LastScheduled);
        foreach (var (kind, schedule) in new[]
        {
            (ReportKinds.Totals, options.Value.NightlySchedule), (ReportKinds.Daily, options.Value.DailySchedule), (ReportKinds.Export, options.Value.ExportSchedule),
        })
        {
            var after = scheduled.TryGetValue(kind, out var last) ? last : state.State.Anchor ?? now;
            if (RunSchedule.DueOccurrence(schedule, options.Value.TimeZone, after, now) is { } occurrence)
            {
                // Each runs after midnight: its business day is the one that just ended where the bank is (for the
                // Monday export, the Sunday that ends the week it exports).
                var businessDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(occurrence, zone).DateTime).AddDays(-1);
                due.Add(new ReportRequest(kind, businessDay, "schedule"));
                scheduled[kind] = occurrence;
            }
        }

        if (due.Count > 0)
        {
            state.State = state.State with { LastScheduled = scheduled };
            await EnqueueAsync(due);
        }

        StartLoop();
    }

    private async Task EnqueueAsync(IReadOnlyList<ReportRequest> requests)
    {
        var fresh = requests.Where(request => !state.State.Queue.Contains(request) && request != _working).ToList();
        state.State = state.State with { Queue = [.. state.State.Queue, .. fresh] };
        await SaveAsync();
        StartLoop();
    }

    private void StartLoop()
    {
        if (_loop is null && state.State.Queue.Count > 0)
        {
            _loop = WorkAsync();
        }
    }

    private async Task WorkAsync()
    {
        try
        {
            while (state.State.Queue.FirstOrDefault() is { } request)
            {
                _working = request;
                ReportOutcome outcome;
                try
                {
                    var rows = await MakeAsync(request);
                    outcome = new ReportOutcome(request, time.GetUtcNow(), rows, null);
                    LogMade(request.Kind, request.Day, rows);
                }
                catch (Exception failure)
                {
                    outcome = new ReportOutcome(request, time.GetUtcNow(), 0, StorageFaults.Describe(failure));
                    LogFailed(failure, request.Kind, request.Day);
                    if (StorageFaults.IsRetryableInBatch(failure))
                    {
                        // Storage is away: the report stays first in the queue and the next reminder tick tries again.
                        state.State = state.State with { Last = outcome };
                        return;
                    }
                }

                state.State = state.State with { Queue = [.. state.State.Queue.Skip(1)], Last = outcome };
                await SaveAsync();
            }
        }
        finally
        {
            _working = null;
            _loop = null;
        }
    }

    private async Task<int> MakeAsync(ReportRequest request)
    {
        var now = time.GetUtcNow();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);
        if (request.Kind == ReportKinds.Export)
        {
            var manifest = await exporter.ExportAsync(request.Day, zone, now, CancellationToken.None);
            return manifest.Files.Sum(file => file.Rows);
        }

        if (request.Kind == ReportKinds.Totals)
        {
            var totals = await aggregator.TakeAsync(now, CancellationToken.None);
            await store.SaveTotalsAsync(request.Day, totals, now);
            return totals.Count;
        }

        // A report of today or yesterday asked for before that day's totals were taken takes them now; an older day's
        // missing totals stay missing, as taking today's under its date would misstate it.
        var totalsByDay = new Dictionary<DateOnly, IReadOnlyList<OriginationTotals>?>();
        foreach (var day in new[] { 0, -1, -2, -7, -8 }.Select(request.Day.AddDays))
        {
            totalsByDay[day] = await store.TotalsAsync(day);
        }

        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        if (request.Day >= today.AddDays(-1) && totalsByDay[request.Day] is null)
        {
            var taken = await aggregator.TakeAsync(now, CancellationToken.None);
            await store.SaveTotalsAsync(request.Day, taken, now);
            totalsByDay[request.Day] = taken;
        }

        var report = DailyOriginationReport.Build(request.Day, now, day => totalsByDay.GetValueOrDefault(day));
        await store.SaveDailyAsync(report);
        return report.Rows.Count;
    }

    /// <summary>
    /// Writes the state after any write still in flight: the background loop and the grain's calls interleave at their
    /// awaits, and two writes of one state at once would conflict on its ETag.
    /// </summary>
    private Task SaveAsync()
    {
        _saving = WriteAfterAsync(_saving);
        return _saving;

        async Task WriteAfterAsync(Task previous)
        {
            await previous.ContinueWith(_ => { }, TaskScheduler.Current);
            await state.WriteStateAsync();
        }
    }

    private ReportsStatus Status() => new([.. state.State.Queue.Where(request => request != _working)], _working, state.State.Last);

    [LoggerMessage(Level = LogLevel.Information, Message = "Report {Kind} of {Day} made: {Rows} rows")]
    private partial void LogMade(string kind, DateOnly day, int rows);

    [LoggerMessage(Level = LogLevel.Error, Message = "Report {Kind} of {Day} failed")]
    private partial void LogFailed(Exception failure, string kind, DateOnly day);
}
