using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;

namespace LoanOffers.Grains;

[GenerateSerializer, Immutable, Alias("loanoffers.SimulationState")]
public sealed record SimulationState
{
    [Id(0)] public SimulationRequest? Request { get; init; }
    [Id(1)] public SimulationStatus? Status { get; init; }
}

/// <summary>
/// A what-if run: the live program's book (or a sample of it) decided by each customer's grain under the proposed and
/// the live version, off the grain's turn, with nothing stored but this grain's own report. The customers go in
/// chunks, each checkpointed with the funnels so far; a reminder brings a simulation whose activation was lost back,
/// and it carries on after its last checkpoint.
/// </summary>
[GrainType(EngineNames.SimulationGrainType)]
public sealed partial class SimulationGrain(
    [PersistentState("simulation")] IPersistentState<SimulationState> state,
    CustomerSource source,
    FeatureSchemas schemas,
    CustomerGrains customerGrains,
    IOptions<EngineOptions> options,
    TimeProvider time,
    ILogger<SimulationGrain> logger) : Grain, ISimulationGrain, IRemindable
{
    private const string ResumeReminder = "resume";

    /// <summary>Customers decided between checkpoints.</summary>
    private const int ChunkSize = 1000;

    private Task? _running;
    private CancellationTokenSource? _stop;
    private SimulationProgress? _progress;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Status is { State: RunState.Running })
        {
            StartWorking();
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_running is { } running)
        {
            await _stop!.CancelAsync();
            await running;
        }
    }

    public async Task<SimulationStatus> Start(SimulationRequest request)
    {
        if (await GetStatus() is { } known)
        {
            return known;
        }

        var key = this.GetPrimaryKeyString();
        state.State = new SimulationState
        {
            Request = request,
            Status = new SimulationStatus
            {
                SimulationId = key[(key.IndexOf('/') + 1)..],
                ProgramId = request.Live.ProgramId,
                State = RunState.Running,
                LiveVersion = request.Live.Version,
                Sample = request.Sample,
                StartedAt = time.GetUtcNow(),
                RequestedBy = request.RequestedBy,
            },
        };
        // The reminder comes before the work, so a simulation stored as running always has one to bring it back.
        await this.RegisterOrUpdateReminder(ResumeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        await state.WriteStateAsync();
        StartWorking();
        return (await GetStatus())!;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Status is { State: RunState.Running })
        {
            if (_running is null or { IsCompleted: true })
            {
                StartWorking();
            }
        }
        else if (await this.GetReminder(ResumeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task<SimulationStatus?> GetStatus() =>
        Task.FromResult(state.State.Status is { } status && _progress is { } progress && status.State == RunState.Running ? progress.Applied(status) : state.State.Status);

    private void StartWorking()
    {
        _stop = new CancellationTokenSource();
        _progress = new SimulationProgress(state.State.Status!);
        _running = WorkAsync(state.State.Request!, state.State.Status!, _progress, _stop.Token);
    }

    private async Task WorkAsync(SimulationRequest request, SimulationStatus started, SimulationProgress progress, CancellationToken cancellationToken)
    {
        SimulationStatus finished;
        try
        {
            var book = await Task.Run(() => source.Load(request.Live, started.StartedAt), cancellationToken);
            if (book.Schema is { } schema)
            {
                await schemas.RegisterAsync(schema);
            }

            var customers = Sample(book.Profiles, request.Sample);
            progress.Begin(customers.Count);

            // Chunks end at checkpoints, so the customers a checkpoint counts are the first ones, in sample order.
            foreach (var chunk in customers.Skip(started.Processed).Chunk(ChunkSize))
            {
                await Parallel.ForEachAsync(chunk, new ParallelOptions { MaxDegreeOfParallelism = options.Value.EvaluationsPerPartition, CancellationToken = cancellationToken },
                    async (profile, _) =>
                    {
                        try
                        {
                            progress.Add(await customerGrains.Get(profile.CustomerId)
                                .Simulate(new SimulateCustomer(started.SimulationId, request.Proposed, request.Live, profile, started.StartedAt)));
                        }
                        catch (Exception failure) when (failure is not OperationCanceledException)
                        {
                            progress.Fail($"{profile.CustomerId}: {StorageFaults.Describe(failure)}");
                        }
                    });
                state.State = state.State with { Status = progress.Applied(started) };
                await state.WriteStateAsync(cancellationToken);
            }

            finished = progress.Applied(started) with { State = RunState.Completed, CompletedAt = time.GetUtcNow() };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception failure)
        {
            LogFailed(failure, started.ProgramId, started.SimulationId);
            finished = progress.Applied(started) with { State = RunState.Failed, CompletedAt = time.GetUtcNow(), LastError = StorageFaults.Describe(failure) };
        }

        state.State = state.State with { Status = finished };
        await state.WriteStateAsync(CancellationToken.None);
        LogFinished(started.ProgramId, started.SimulationId, finished.State, finished.Processed);
    }

    /// <summary>
    /// Up to <paramref name="size"/> customers chosen by a hash of their id: the same customers every time, spread over
    /// the whole book rather than its first rows.
    /// </summary>
    private static IReadOnlyList<CustomerProfile> Sample(IReadOnlyList<CustomerProfile> book, int? size) =>
        size is { } wanted && wanted < book.Count
            ? [.. book.OrderBy(profile => StableKeyHash.Fnv1a(profile.CustomerId)).ThenBy(profile => profile.CustomerId, StringComparer.Ordinal).Take(wanted)]
            : book;

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulation {SimulationId} of program {ProgramId} ended {State} after {Processed} customers")]
    private partial void LogFinished(string programId, string simulationId, RunState state, int processed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Simulation {SimulationId} of program {ProgramId} failed")]
    private partial void LogFailed(Exception failure, string programId, string simulationId);

    /// <summary>The counters of a simulation in progress, from its last checkpoint on, added to from many customers at once.</summary>
    private sealed class SimulationProgress(SimulationStatus checkpoint)
    {
        private readonly Lock _gate = new();
        private int _total = checkpoint.Total;
        private int _processed = checkpoint.Processed;
        private int _errors = checkpoint.Errors;
        private string? _lastError = checkpoint.LastError;
        private FunnelTally _proposed = checkpoint.Proposed;
        private FunnelTally _live = checkpoint.Live;

        public void Begin(int total)
        {
            lock (_gate)
            {
                _total = total;
            }
        }

        public void Add(SimulatedDecisions decisions)
        {
            lock (_gate)
            {
                _processed++;
                _proposed = _proposed.With(decisions.Proposed);
                _live = _live.With(decisions.Live);
            }
        }

        public void Fail(string error)
        {
            lock (_gate)
            {
                _processed++;
                _errors++;
                _lastError = error;
            }
        }

        public SimulationStatus Applied(SimulationStatus status)
        {
            lock (_gate)
            {
                return status with { Total = _total, Processed = _processed, Errors = _errors, LastError = _lastError, Proposed = _proposed, Live = _live };
            }
        }
    }
}
