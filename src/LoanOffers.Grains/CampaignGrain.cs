using LoanOffers.Abstractions;
using LoanOffers.Delivery;
using LoanOffers.Delivery.Email;
using LoanOffers.Domain;
using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;

namespace LoanOffers.Grains;

[GenerateSerializer, Immutable, Alias("loanoffers.CampaignState")]
public sealed record CampaignState
{
    [Id(0)] public string Status { get; init; } = CampaignStatuses.NotStarted;
    [Id(1)] public int Queued { get; init; }
    [Id(2)] public DateTimeOffset? StartedAt { get; init; }
    [Id(3)] public DateTimeOffset? CompletedAt { get; init; }
}

[GrainType(EngineNames.CampaignGrainType)]
public sealed partial class CampaignGrain(
    [PersistentState("campaign")] IPersistentState<CampaignState> state,
    Outbox outbox,
    CandidateIndex candidates,
    OfferMailer mailer,
    IGrainFactory grains,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    ILogger<CampaignGrain> logger) : Grain, ICampaignGrain, IRemindable
{
    private const string ResumeReminder = "resume";
    private const int BatchSize = 200;
    private const int Concurrency = 8;

    private Task? _sending;
    private string? _lastFailure;
    private CancellationTokenSource? _stop;

    private string ProgramId => this.GetPrimaryKeyString().Split('/')[0];

    private string RunId => this.GetPrimaryKeyString().Split('/')[1];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Status == CampaignStatuses.Running)
        {
            StartSending();
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await StopSendingAsync();
    }

    public async Task<CampaignProgress> Start()
    {
        if (state.State.Status != CampaignStatuses.NotStarted)
        {
            return await GetProgress();
        }

        var run = await GrainFactory.GetGrain<IProgramGrain>(ProgramId).GetRun(RunId);
        var config = await GrainFactory.GetGrain<IProgramGrain>(ProgramId).GetConfig();
        if (run is not { State: RunState.Completed } || config is null)
        {
            throw new InvalidOperationException($"Run '{RunId}' of program '{ProgramId}' has not completed, so it has no campaign to send.");
        }

        var queued = 0;
        if (config.Channels.Any(channel => channel.Enabled && channel.Type == ChannelTypes.Email))
        {
            var offeredAt = run.ScheduledFor ?? run.StartedAt;
            var now = time.GetUtcNow();
            string? continuation = null;
            do
            {
                var page = await candidates.QueryByAmountAsync(ProgramId, 0, 9_999_999_999m, 1000, continuation, now);
                var messages = page.Candidates
                    .Where(candidate => (candidate.OfferedAt - offeredAt).Duration() < TimeSpan.FromSeconds(1))
                    .Select(candidate => new OutboxMessage(ProgramId, RunId, candidate.CustomerId, ChannelTypes.Email))
                    .ToList();
                await outbox.EnqueueAsync(messages);
                queued += messages.Count;
                continuation = page.Continuation;
            }
            while (continuation is not null);
        }

        // The reminder comes before the running state is stored, so a campaign stored as running always has one to resume it.
        await this.RegisterOrUpdateReminder(ResumeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        state.State = state.State with { Status = CampaignStatuses.Running, Queued = queued, StartedAt = time.GetUtcNow() };
        await state.WriteStateAsync();
        StartSending();
        LogStarted(ProgramId, RunId, queued);
        return await GetProgress();
    }

    public async Task<CampaignProgress> Pause()
    {
        if (state.State.Status == CampaignStatuses.Running)
        {
            await StopSendingAsync();
            state.State = state.State with { Status = CampaignStatuses.Paused };
            await state.WriteStateAsync();
        }

        return await GetProgress();
    }

    public async Task<CampaignProgress> Resume()
    {
        if (state.State.Status == CampaignStatuses.Paused)
        {
            state.State = state.State with { Status = CampaignStatuses.Running };
            await state.WriteStateAsync();
            StartSending();
        }

        return await GetProgress();
    }

    public async Task<CampaignProgress> GetProgress() => new(
        ProgramId, RunId, state.State.Status, state.State.Queued,
        state.State.Status == CampaignStatuses.NotStarted ? new Dictionary<string, int>() : await outbox.CountAsync(ProgramId, RunId),
        state.State.StartedAt, state.State.CompletedAt) { LastFailure = _lastFailure };

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Status == CampaignStatuses.Running)
        {
            StartSending();
        }
        else if (state.State.Status is CampaignStatuses.Completed or CampaignStatuses.NotStarted && await this.GetReminder(ResumeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private void StartSending()
    {
        if (_sending is { IsCompleted: false })
        {
            return;
        }

        _stop = new CancellationTokenSource();
        _sending = SendAllAsync(_stop.Token);
    }

    private async Task StopSendingAsync()
    {
        if (_sending is { } sending)
        {
            await _stop!.CancelAsync();
            try
            {
                await sending;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Drains the outbox: each message is asked of its customer's contact policy, then sent and marked.</summary>
    private async Task SendAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var due = await outbox.DueAsync(ProgramId, RunId, time.GetUtcNow(), BatchSize, cancellationToken);
                if (due.Count == 0)
                {
                    var counts = await outbox.CountAsync(ProgramId, RunId, cancellationToken);
                    if (counts.GetValueOrDefault(OutboxStatuses.Pending) == 0)
                    {
                        state.State = state.State with { Status = CampaignStatuses.Completed, CompletedAt = time.GetUtcNow() };
                        await state.WriteStateAsync(cancellationToken);
                        LogCompleted(ProgramId, RunId, counts.GetValueOrDefault(OutboxStatuses.Sent), counts.GetValueOrDefault(OutboxStatuses.Suppressed), counts.GetValueOrDefault(OutboxStatuses.Parked));
                        return;
                    }

                    await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
                    continue;
                }

                await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, SendOneAsync);
            }
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // Storage may be away; the reminder starts the loop again, and unsent messages are still pending.
            LogSendingStopped(failure, ProgramId, RunId);
        }
    }

    private async ValueTask SendOneAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            // Messages go out in parallel off the grain's turn, so customers are called through the factory, not the activation.
            var decision = await grains.GetGrain<ICustomerGrain>(message.CustomerId).PrepareContact(
                new ContactRequest(message.ProgramId, message.RunId, message.Channel, message.Key, now, TimeSpan.FromDays(options.Value.FrequencyDays)));
            if (decision.Offer is not { } offer)
            {
                await outbox.UpdateAsync(message with { Status = OutboxStatuses.Suppressed, Reason = decision.SuppressedBecause }, cancellationToken);
                return;
            }

            await mailer.SendAsync(EmailOf(message, decision, offer), message.Key, cancellationToken);
            await outbox.UpdateAsync(message with { Status = OutboxStatuses.Sent, Attempts = message.Attempts + 1, Reason = null }, cancellationToken);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            _lastFailure = failure.GetType().Name + ": " + failure.Message;
            var attempts = message.Attempts + 1;
            var parked = attempts >= options.Value.MaxAttempts;
            await outbox.UpdateAsync(message with
            {
                Status = parked ? OutboxStatuses.Parked : OutboxStatuses.Pending,
                Attempts = attempts,
                NextAttemptAt = now + TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, attempts))),
                Reason = failure.GetType().Name + ": " + failure.Message,
            }, cancellationToken);
        }
    }

    private OfferEmail EmailOf(OutboxMessage message, ContactDecision decision, LoanOffer offer) => new(
        decision.Address!, decision.FirstName, offer.Amount, offer.Apr, offer.Roi, offer.Tenure, offer.MonthlyPayment, offer.ProcessingFee,
        offer.TotalRepayable, offer.ExpiresAt,
        new Uri(mailer.Links, $"offers/{Uri.EscapeDataString(message.CustomerId)}/{Uri.EscapeDataString(offer.OfferId)}").ToString(),
        new Uri(mailer.Links, $"unsubscribe/{Uri.EscapeDataString(message.Key)}").ToString(),
        new Uri(mailer.Links, $"prescreen-opt-out/{Uri.EscapeDataString(message.Key)}").ToString());

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {ProgramId}/{RunId} started with {Queued} messages")]
    private partial void LogStarted(string programId, string runId, int queued);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {ProgramId}/{RunId} completed: {Sent} sent, {Suppressed} suppressed, {Parked} parked")]
    private partial void LogCompleted(string programId, string runId, int sent, int suppressed, int parked);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {ProgramId}/{RunId} stopped sending; its reminder starts it again")]
    private partial void LogSendingStopped(Exception failure, string programId, string runId);
}
