using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;

namespace LoanOffers.Grains;

[GenerateSerializer, Immutable, Alias("loanoffers.ProgramState")]
public sealed record ProgramState
{
    [Id(0)] public ProgramConfig? Config { get; init; }
    [Id(1)] public RunStatus? ActiveRun { get; init; }
    [Id(2)] public ProgramConfig? ActiveRunConfig { get; init; }
    [Id(3)] public IReadOnlyList<RunStatus> History { get; init; } = [];
    [Id(4)] public DateTimeOffset? ScheduleAnchor { get; init; }
    [Id(5)] public DateTimeOffset? LastPurgeAt { get; init; }

    /// <summary>
    /// Every configuration before the current one, oldest first: an offer stands on the criteria of the version that
    /// made it, so those versions are kept.
    /// </summary>
    [Id(6)] public IReadOnlyList<ProgramConfig> EarlierVersions { get; init; } = [];
}

/// <summary>
/// A lending program: configuration, cron schedule on a durable reminder, and its batch runs. A run is a
/// background loop (never one long grain turn) that persists a checkpoint every few partitions; after a crash or
/// deactivation the next activation (the reminder guarantees one) resumes from the checkpoint.
/// </summary>
[GrainType(EngineNames.ProgramGrainType)]
public sealed partial class ProgramGrain(
    [PersistentState("program")] IPersistentState<ProgramState> state,
    BatchRunner runner,
    CandidateIndex candidateIndex,
    FirmOfferRecordStore records,
    TimeProvider time,
    AuditTrail audit,
    IOptions<EngineOptions> options,
    IOptions<LoanOffers.Delivery.DeliveryOptions> delivery,
    ILogger<ProgramGrain> logger) : Grain, IProgramGrain, IRemindable
{
    private const string ScheduleReminder = "schedule";

    /// <summary>A warning names this many breaching groups at most; the run report has them all.</summary>
    private const int BreachesLogged = 5;

    private CancellationTokenSource? _runCancellation;
    private Task? _runLoop;
    private LiveProgress? _live;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.ActiveRun is { } interrupted)
        {
            StartLoop(interrupted with { Resumes = interrupted.Resumes + 1 });
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_runLoop is { } loop)
        {
            await _runCancellation!.CancelAsync();
            await loop;
        }
    }

    public async Task<ProgramConfig> Configure(ProgramConfig config)
    {
        var programId = this.GetPrimaryKeyString();
        if (config.ProgramId != programId)
        {
            throw new ArgumentException($"The configuration is for program '{config.ProgramId}', not '{programId}'.", nameof(config));
        }

        var versioned = config with { Version = (state.State.Config?.Version ?? 0) + 1 };
        state.State = state.State with
        {
            Config = versioned,
            EarlierVersions = state.State.Config is { } previous ? [.. state.State.EarlierVersions, previous] : state.State.EarlierVersions,
            ScheduleAnchor = state.State.ScheduleAnchor ?? time.GetUtcNow(),
        };
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(ScheduleReminder, options.Value.ScheduleCheckPeriod, options.Value.ScheduleCheckPeriod);
        await GrainFactory.GetGrain<IProgramCatalogGrain>(IProgramCatalogGrain.Key)
            .Register(new ProgramSummary(programId, versioned.ProgramName, versioned.Version, versioned.Enabled, time.GetUtcNow()));
        LogConfigured(programId, versioned.Version);
        return versioned;
    }

    public Task<ProgramConfig?> GetConfig() => Task.FromResult(state.State.Config);

    public Task<ProgramConfig?> GetConfigVersion(int version) => Task.FromResult(
        state.State.Config?.Version == version ? state.State.Config : state.State.EarlierVersions.FirstOrDefault(config => config.Version == version));

    public Task<IReadOnlyList<ProgramConfig>> GetVersions() => Task.FromResult<IReadOnlyList<ProgramConfig>>(
        state.State.Config is { } current ? [.. state.State.EarlierVersions, current] : []);

    public async Task<RunStartResult> StartRun()
    {
        if (state.State.ActiveRun is not null)
        {
            return new RunStartResult(CurrentRun()!, Started: false);
        }

        var now = time.GetUtcNow();
        var run = await BeginRunAsync(RunSchedule.ManualRunId(now), RunTrigger.Manual, scheduledFor: null, now);
        return new RunStartResult(run, Started: true);
    }

    public Task<RunStatus?> GetRun(string runId) =>
        Task.FromResult(CurrentRun() is { } active && active.RunId == runId ? active : state.State.History.FirstOrDefault(run => run.RunId == runId));

    public Task<IReadOnlyList<RunStatus>> GetRuns() =>
        Task.FromResult<IReadOnlyList<RunStatus>>(CurrentRun() is { } active ? [active, .. state.State.History] : state.State.History);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var now = time.GetUtcNow();
        if (state.State.ActiveRun is { } active && _runLoop is null)
        {
            StartLoop(active with { Resumes = active.Resumes + 1 });
        }

        if (state.State.Config is { Enabled: true } config && state.State.ActiveRun is null)
        {
            var after = state.State.History.Where(run => run.ScheduledFor is not null).Select(run => run.ScheduledFor!.Value).DefaultIfEmpty(state.State.ScheduleAnchor ?? now).Max();
            if (RunSchedule.DueOccurrence(config.BatchSchedule, config.TimeZone, after, now) is { } due)
            {
                var runId = RunSchedule.ScheduledRunId(due);
                if (state.State.History.All(run => run.RunId != runId))
                {
                    await BeginRunAsync(runId, RunTrigger.Scheduled, due, now);
                    await audit.AppendAsync(new AuditRecord(
                        AuditActor.Scheduler, AuditActions.RunStarted, $"{config.ProgramId}/{runId}", null,
                        System.Text.Json.JsonSerializer.Serialize(new { runId, trigger = RunTrigger.Scheduled.ToString(), scheduledFor = due }), []));
                }
            }
        }

        if (state.State.LastPurgeAt is not { } lastPurge || now - lastPurge >= TimeSpan.FromDays(1))
        {
            state.State = state.State with { LastPurgeAt = now };
            await state.WriteStateAsync();
            _ = PurgeAsync(now);
        }
    }

    /// <summary>
    /// The daily purge of expired candidates and of the firm-offer records past their retention scans whole tables, so
    /// it runs off the grain's turn; a failure is logged and retried tomorrow.
    /// </summary>
    private async Task PurgeAsync(DateTimeOffset now)
    {
        try
        {
            await Task.Run(async () =>
            {
                await candidateIndex.PurgeExpiredAsync(now);
                await records.PurgeAsync(this.GetPrimaryKeyString(), now);
            });
        }
        catch (Exception failure)
        {
            LogPurgeFailed(failure, this.GetPrimaryKeyString());
        }
    }

    private async Task<RunStatus> BeginRunAsync(string runId, RunTrigger trigger, DateTimeOffset? scheduledFor, DateTimeOffset now)
    {
        var config = state.State.Config ?? throw new InvalidOperationException($"Program '{this.GetPrimaryKeyString()}' has no configuration yet.");
        if (!config.Enabled)
        {
            throw new InvalidOperationException($"Program '{config.ProgramId}' is disabled.");
        }

        var run = new RunStatus
        {
            RunId = runId,
            ProgramId = config.ProgramId,
            ConfigVersion = config.Version,
            Trigger = trigger,
            ScheduledFor = scheduledFor,
            StartedAt = now,
        };
        state.State = state.State with { ActiveRun = run, ActiveRunConfig = config };
        await state.WriteStateAsync();
        LogRunStarted(config.ProgramId, runId, trigger);
        StartLoop(run);
        return run;
    }

    private void StartLoop(RunStatus checkpoint)
    {
        _live = new LiveProgress(checkpoint);
        _runCancellation = new CancellationTokenSource();
        _runLoop = RunLoopAsync(state.State.ActiveRunConfig!, _live, _runCancellation.Token);
    }

    /// <summary>
    /// Runs the batch to its end. A transient fault (storage or a silo unreachable) pauses the run: it waits, doubling
    /// the wait, until the program's own row reads again, then carries on from the last durable checkpoint, so no
    /// customer is counted that was not evaluated and stored. Only a lasting cause fails the run, named in one line.
    /// </summary>
    private async Task RunLoopAsync(ProgramConfig config, LiveProgress live, CancellationToken cancellationToken)
    {
        var runId = live.Snapshot().RunId;
        try
        {
            while (true)
            {
                try
                {
                    await foreach (var checkpoint in runner.RunAsync(config, live, cancellationToken))
                    {
                        state.State = state.State with { ActiveRun = checkpoint with { Pause = null } };
                        await state.WriteStateAsync();
                        live.Update(status => status with { Pause = null });
                    }

                    await FinishAsync(live.Snapshot() with { State = RunState.Completed, CompletedAt = time.GetUtcNow(), Pause = null });
                    await StartCampaignAsync(config, runId);
                    return;
                }
                catch (Exception failure) when (!cancellationToken.IsCancellationRequested && StorageFaults.IsRetryableInBatch(failure))
                {
                    var pauses = live.Snapshot().Pauses + 1;
                    live.Update(status => status with { Pauses = pauses });
                    if (await WaitForStorageAsync(config.ProgramId, runId, failure, live, cancellationToken) is not { } checkpoint)
                    {
                        return;
                    }

                    config = state.State.ActiveRunConfig!;
                    live = new LiveProgress(checkpoint with { Pauses = pauses, Pause = null });
                    _live = live;
                    LogRunCarriesOn(config.ProgramId, runId, checkpoint.PartitionsDone, checkpoint.PartitionsTotal);
                }
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Deactivating (whatever the stopped work threw on its way out): the last checkpoint stays, and the next
            // activation resumes from it. A run is never failed by its grain moving.
            LogRunPaused(config.ProgramId, runId);
        }
        catch (Exception failure)
        {
            LogRunFailed(failure, config.ProgramId, runId);
            await FinishAsync(live.Snapshot() with { State = RunState.Failed, CompletedAt = time.GetUtcNow(), Pause = null, LastError = StorageFaults.Describe(failure) });
        }
        finally
        {
            _runLoop = null;
        }
    }

    /// <summary>
    /// Shows the pause on the run, then waits with a doubling delay until the program's row reads again. Reading it
    /// back (rather than trusting memory) picks up a checkpoint write that timed out yet landed, and its ETag.
    /// Returns the durable checkpoint to carry on from, or null when the run is no longer active.
    /// </summary>
    private async Task<RunStatus?> WaitForStorageAsync(string programId, string runId, Exception failure, LiveProgress live, CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            var now = time.GetUtcNow();
            if (now - since > options.Value.StorageOutageLimit)
            {
                throw new TimeoutException($"Gave up after waiting {options.Value.StorageOutageLimit} for storage: {StorageFaults.Describe(failure)}");
            }

            var delay = TimeSpan.FromMilliseconds(Math.Min(options.Value.MaxRetryDelay.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(attempt - 1, 16))));
            var reason = StorageFaults.Describe(failure);
            live.Update(status => status with { Pause = new RunPause(reason, since, now + delay, attempt) });
            LogRunWaitsForStorage(programId, runId, attempt, delay.TotalSeconds, reason);
            await Task.Delay(delay, time, cancellationToken);
            try
            {
                await state.ReadStateAsync();
                return state.State.ActiveRun is { } checkpoint && checkpoint.RunId == runId ? checkpoint : null;
            }
            catch (Exception stillDown) when (StorageFaults.IsTransient(stillDown))
            {
                failure = stillDown;
            }
        }
    }

    /// <summary>
    /// Starts the completed run's campaign, to send at its channels' send times. The run stands either way: a campaign
    /// that could not start is started from the admin API.
    /// </summary>
    private async Task StartCampaignAsync(ProgramConfig config, string runId)
    {
        if (!delivery.Value.StartAfterRun || !config.Channels.Any(channel => channel.Enabled && channel.Type is ChannelTypes.Email or ChannelTypes.Sms))
        {
            return;
        }

        try
        {
            await GrainFactory.GetGrain<ICampaignGrain>($"{config.ProgramId}/{runId}").Start(sendNow: false);
        }
        catch (Exception failure)
        {
            LogCampaignNotStarted(failure, config.ProgramId, runId);
        }
    }

    private async Task FinishAsync(RunStatus finished)
    {
        state.State = state.State with
        {
            ActiveRun = null,
            ActiveRunConfig = null,
            History = [finished, .. state.State.History.Take(options.Value.RunHistory - 1)],
        };
        await state.WriteStateAsync();
        _live = null;
        EngineMeters.RunDuration.Record(
            ((finished.CompletedAt ?? time.GetUtcNow()) - finished.StartedAt).TotalSeconds,
            new KeyValuePair<string, object?>("program", finished.ProgramId), new KeyValuePair<string, object?>("state", finished.State.ToString()));
        LogRunFinished(finished.ProgramId, finished.RunId, finished.State, finished.Processed, finished.Offered);
        if (finished.Fairness is { Breaches: { Count: > 0 } breaches })
        {
            LogFairnessBreach(finished.ProgramId, finished.RunId, breaches.Count, string.Join("; ", breaches.Take(BreachesLogged)));
        }
    }

    private RunStatus? CurrentRun() => _live?.Snapshot() ?? state.State.ActiveRun;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Program {ProgramId} run {RunId}: offers fall unevenly (four-fifths rule) in {Count} group(s), the run report lists them all: {Breaches}")]
    private partial void LogFairnessBreach(string programId, string runId, int count, string breaches);

    [LoggerMessage(Level = LogLevel.Error, Message = "Program {ProgramId}: the daily purge of expired candidates and records failed")]
    private partial void LogPurgeFailed(Exception failure, string programId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Program {ProgramId} configured at version {Version}")]
    private partial void LogConfigured(string programId, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Program {ProgramId} run {RunId} started ({Trigger})")]
    private partial void LogRunStarted(string programId, string runId, RunTrigger trigger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Program {ProgramId} run {RunId} paused for deactivation; it resumes from its checkpoint")]
    private partial void LogRunPaused(string programId, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Program {ProgramId} run {RunId} paused (attempt {Attempt}, next in {DelaySeconds} s): {Reason}")]
    private partial void LogRunWaitsForStorage(string programId, string runId, int attempt, double delaySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Program {ProgramId} run {RunId} carries on from its checkpoint ({Done}/{Total} partitions)")]
    private partial void LogRunCarriesOn(string programId, string runId, int done, int total);

    [LoggerMessage(Level = LogLevel.Error, Message = "Program {ProgramId} run {RunId} failed")]
    private partial void LogRunFailed(Exception failure, string programId, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Program {ProgramId} run {RunId} {State}: {Processed} processed, {Offered} offered")]
    private partial void LogRunFinished(string programId, string runId, RunState state, int processed, int offered);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Program {ProgramId}: the campaign of run {RunId} did not start; start it from the admin API")]
    private partial void LogCampaignNotStarted(Exception failure, string programId, string runId);
}
