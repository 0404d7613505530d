using System.Collections.Concurrent;
using LoanOffers.Abstractions;
using LoanOffers.Delivery;
using LoanOffers.Delivery.Email;
using LoanOffers.Delivery.Sms;
using LoanOffers.Delivery.Tracking;
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
    [Id(1)] public int Messages { get; init; }
    [Id(2)] public DateTimeOffset? StartedAt { get; init; }
    [Id(3)] public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Sends at once rather than at each channel's send time.</summary>
    [Id(4)] public bool SendNow { get; init; }

    /// <summary>Every message is in the outbox; until then the sender queues them first (again, harmlessly, after a restart).</summary>
    [Id(5)] public bool Queued { get; init; }

    /// <summary>The messages by outbox status when the campaign completed.</summary>
    [Id(6)] public IReadOnlyDictionary<string, int>? FinalCounts { get; init; }
}

[GrainType(EngineNames.CampaignGrainType)]
public sealed partial class CampaignGrain(
    [PersistentState("campaign")] IPersistentState<CampaignState> state,
    Outbox outbox,
    CandidateIndex candidates,
    FunnelLedger funnel,
    OfferMailer mailer,
    OfferTexter texter,
    TrackingLinks links,
    IGrainFactory grains,
    CustomerGrains customers,
    IOptions<DeliveryOptions> options,
    IOptions<LoanOffers.Delivery.Smtp.SmtpOptions> smtp,
    TimeProvider time,
    ILogger<CampaignGrain> logger) : Grain, ICampaignGrain, IRemindable
{
    private const string ResumeReminder = "resume";
    private const int BatchSize = 200;

    private Task? _sending;

    /// <summary>
    /// Whether the funnel may lack sends that were written behind and lost: so in a new activation (the last may have
    /// stopped mid-batch) and after a write failed, until the funnel is restored from the outbox.
    /// </summary>
    private bool _funnelBehind = true;

    private static readonly TimeSpan FinalFlushTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The messages by outbox status, counted once on this activation and kept up to date by the sender.</summary>
    private ConcurrentDictionary<string, int>? _counts;
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

    public async Task<CampaignProgress> Start(bool sendNow)
    {
        if (state.State.Status != CampaignStatuses.NotStarted)
        {
            if (sendNow && !state.State.SendNow)
            {
                // Asked to send now after starting at the send times: the sender stops first, so no message in flight
                // under the old policy is held back after the release; then whatever waits for its time is due at once.
                var sending = state.State.Status == CampaignStatuses.Running;
                await StopSendingAsync();
                state.State = state.State with { SendNow = true };
                await state.WriteStateAsync();
                await outbox.ReleaseAsync(ProgramId, RunId, time.GetUtcNow());
                if (sending)
                {
                    StartSending();
                }
            }

            return await GetProgress();
        }

        var run = await grains.GetGrain<IProgramGrain>(ProgramId).GetRun(RunId);
        if (run is not { State: RunState.Completed })
        {
            throw new InvalidOperationException($"Run '{RunId}' of program '{ProgramId}' has not completed, so it has no campaign to send.");
        }

        // The reminder comes before the running state is stored, so a campaign stored as running always has one to resume it.
        await this.RegisterOrUpdateReminder(ResumeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        state.State = state.State with { Status = CampaignStatuses.Running, SendNow = sendNow, StartedAt = time.GetUtcNow() };
        await state.WriteStateAsync();
        StartSending();
        LogStarted(ProgramId, RunId, sendNow);
        return await GetProgress();
    }

    /// <summary>
    /// A message per offered customer of this run and push channel of the program (email, SMS); in-app offers are
    /// banners the app asks for. Queuing again keeps what is queued.
    /// </summary>
    private async Task<int> QueueAsync(CancellationToken cancellationToken)
    {
        var program = grains.GetGrain<IProgramGrain>(ProgramId);
        var run = await program.GetRun(RunId);
        var config = run is null ? null : await program.GetConfigVersion(run.ConfigVersion) ?? await program.GetConfig();
        var channels = config?.Channels.Where(channel => channel.Enabled && channel.Type is ChannelTypes.Email or ChannelTypes.Sms).ToList() ?? [];
        if (run is null || channels.Count == 0)
        {
            return 0;
        }

        var offeredAt = run.ScheduledFor ?? run.StartedAt;
        var queued = 0;
        await foreach (var page in candidates.LiveByAmountAsync(ProgramId, time.GetUtcNow(), cancellationToken).Chunk(1000).WithCancellation(cancellationToken))
        {
            var messages = page
                .Where(candidate => (candidate.OfferedAt - offeredAt).Duration() < TimeSpan.FromSeconds(1))
                .SelectMany(candidate => channels
                    // A channel for excellent credit only is not queued for the others; the policy checks it again at send time.
                    .Where(channel => !channel.ExcellentCreditOnly || candidate.Tier == "excellent")
                    .Select(channel => new OutboxMessage(ProgramId, RunId, candidate.CustomerId, channel.Type, candidate.Tier)))
                .ToList();
            await outbox.EnqueueAsync(messages, cancellationToken);
            queued += messages.Count;
        }

        return queued;
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
        ProgramId, RunId, state.State.Status, state.State.Messages, await CountsAsync(), state.State.StartedAt, state.State.CompletedAt)
    {
        LastFailure = _lastFailure,
        SendNow = state.State.SendNow,
    };

    private async Task<IReadOnlyDictionary<string, int>> CountsAsync() => state.State switch
    {
        { Status: CampaignStatuses.NotStarted } => new Dictionary<string, int>(),
        { FinalCounts: { } final } => final,
        _ => Snapshot(_counts ??= new ConcurrentDictionary<string, int>(await outbox.CountAsync(ProgramId, RunId))),
    };

    private static SortedDictionary<string, int> Snapshot(ConcurrentDictionary<string, int> counts) =>
        new(counts.Where(count => count.Value > 0).ToDictionary(), StringComparer.Ordinal);

    /// <summary>One message left <see cref="OutboxStatuses.Pending"/> for <paramref name="status"/>.</summary>
    private void Moved(string status, string channel)
    {
        EngineMeters.Messages.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("status", status));
        if (_counts is { } counts)
        {
            counts.AddOrUpdate(OutboxStatuses.Pending, 0, (_, count) => count - 1);
            counts.AddOrUpdate(status, 1, (_, count) => count + 1);
        }
    }

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

        // Progress reads these counts rather than scanning the outbox on the grain's turn; the sender fills them in.
        _counts ??= new ConcurrentDictionary<string, int>();
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
            if (!state.State.Queued)
            {
                var queued = await QueueAsync(cancellationToken);
                state.State = state.State with { Queued = true, Messages = queued };
                await state.WriteStateAsync(cancellationToken);
            }
            else if (_funnelBehind)
            {
                await RestoreFunnelAsync(cancellationToken);
            }

            _funnelBehind = false;
            var funnelWrites = new FunnelWriteBehind(funnel);
            try
            {
                await SendUntilDoneAsync(funnelWrites, cancellationToken);
            }
            finally
            {
                // What waits is written now, however sending stopped; if any of it could not be, the next start
                // restores the funnel from the outbox.
                using var timeout = new CancellationTokenSource(FinalFlushTimeout);
                _funnelBehind = !await funnelWrites.TryFlushAsync(timeout.Token);
            }
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // Storage may be away; the reminder starts the loop again, and unsent messages are still pending.
            LogSendingStopped(failure, ProgramId, RunId);
        }
    }

    /// <summary>Sweeps the outbox until nothing is pending, writing the funnel's sends behind; marks the campaign completed.</summary>
    private async Task SendUntilDoneAsync(FunnelWriteBehind funnelWrites, CancellationToken cancellationToken)
    {
        // Three messages in flight per relay connection: a message's customer and outbox work takes about one and a
        // half times its SMTP exchange, so with fewer a connection waits for its next message.
        var inFlight = 3 * smtp.Value.Connections;
        _counts = new ConcurrentDictionary<string, int>(await outbox.CountAsync(ProgramId, RunId, cancellationToken));
        while (!cancellationToken.IsCancellationRequested)
        {
            // The bodies run off the grain's turn, so they take the policy as read here rather than the grain's state.
            var policy = Policy;
            var swept = 0;
            await Parallel.ForEachAsync(SweepAsync(cancellationToken), new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = cancellationToken },
                async (message, token) =>
                {
                    Interlocked.Increment(ref swept);
                    if (await SendOneAsync(message, policy, token) is { } delivered)
                    {
                        await funnelWrites.AddAsync(delivered, token);
                    }
                });
            await funnelWrites.FlushAsync(cancellationToken);
            if (swept > 0)
            {
                continue;
            }

            if (_counts.GetValueOrDefault(OutboxStatuses.Pending) <= 0)
            {
                // The sweep found nothing due and nothing should be pending: confirmed against the outbox itself.
                var counts = await outbox.CountAsync(ProgramId, RunId, cancellationToken);
                if (counts.GetValueOrDefault(OutboxStatuses.Pending) == 0)
                {
                    state.State = state.State with { Status = CampaignStatuses.Completed, CompletedAt = time.GetUtcNow(), FinalCounts = counts };
                    await state.WriteStateAsync(cancellationToken);
                    LogCompleted(ProgramId, RunId, counts.GetValueOrDefault(OutboxStatuses.Sent), counts.GetValueOrDefault(OutboxStatuses.Suppressed), counts.GetValueOrDefault(OutboxStatuses.Parked));
                    return;
                }

                _counts = new ConcurrentDictionary<string, int>(counts);
            }

            // What is left waits for its send time or a retry: look again shortly.
            await Task.Delay(TimeSpan.FromSeconds(2), time, cancellationToken);
        }
    }

    /// <summary>
    /// One pass over the outbox: every message due, page after page, handed out as the senders take them, so no sender
    /// waits for a page's slowest message. A pass ends before the next begins, so no message is taken twice.
    /// </summary>
    private async IAsyncEnumerable<OutboxMessage> SweepAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = await outbox.DueAsync(ProgramId, RunId, time.GetUtcNow(), BatchSize, cursor, cancellationToken);
            cursor = page.Cursor;
            foreach (var message in page.Messages)
            {
                yield return message;
            }
        }
        while (cursor is not null);
    }

    /// <summary>
    /// The funnel's sends and bounces of this campaign as the outbox has them, for when some written behind the sends
    /// may have been lost.
    /// </summary>
    private async Task RestoreFunnelAsync(CancellationToken cancellationToken)
    {
        var events = new List<FunnelEvent>();
        await foreach (var message in outbox.DeliveredAsync(ProgramId, RunId, cancellationToken))
        {
            events.Add(Delivered(message, message.Status == OutboxStatuses.Sent ? FunnelStages.Sent : FunnelStages.Bounced, message.Tier));
            if (events.Count == 1000)
            {
                await funnel.RestoreAsync(events, cancellationToken);
                events.Clear();
            }
        }

        await funnel.RestoreAsync(events, cancellationToken);
    }

    private static FunnelEvent Delivered(OutboxMessage message, string stage, string? tier) =>
        new(message.ProgramId, message.RunId, message.CustomerId, tier) { ChannelStage = (message.Channel, stage) };

    /// <summary>
    /// Asks the customer's contact policy, sends and marks the message in the outbox; returns the funnel's event for a
    /// message that reached the relay or provider, which the caller writes behind.
    /// </summary>
    private async ValueTask<FunnelEvent?> SendOneAsync(OutboxMessage message, ContactPolicy policy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            // Messages go out in parallel off the grain's turn, so customers are called through the factory, not the activation.
            var decision = await customers.Get(message.CustomerId).PrepareContact(
                new ContactRequest(message.ProgramId, message.RunId, message.Channel, message.Key, now, policy));
            if (decision.DeferUntil is { } later)
            {
                await outbox.UpdateAsync(message with { NextAttemptAt = later, Reason = "waiting for the customer's send time" }, cancellationToken);
                return null;
            }

            if (decision.Offer is not { } offer)
            {
                await outbox.UpdateAsync(message with { Status = OutboxStatuses.Suppressed, Reason = decision.SuppressedBecause }, cancellationToken);
                Moved(OutboxStatuses.Suppressed, message.Channel);
                return null;
            }

            var target = new LinkTarget(message.ProgramId, message.RunId, message.CustomerId, message.Channel, offer.OfferId);
            try
            {
                if (message.Channel == ChannelTypes.Sms)
                {
                    var text = SmsText.Render(decision.Channel?.Message ?? DefaultSms, offer.Amount, offer.Apr, links.For(target, TrackingLinks.Click));
                    await texter.SendAsync(new SmsMessage(decision.Address!, text, message.Key), cancellationToken);
                }
                else
                {
                    await mailer.SendAsync(EmailOf(decision, offer, target), message.Key, cancellationToken);
                }
            }
            catch (PermanentDeliveryException refused)
            {
                await outbox.UpdateAsync(message with { Status = OutboxStatuses.Bounced, Attempts = message.Attempts + 1, Reason = refused.Message }, cancellationToken);
                Moved(OutboxStatuses.Bounced, message.Channel);
                return Delivered(message, FunnelStages.Bounced, offer.Tier);
            }

            await outbox.UpdateAsync(message with { Status = OutboxStatuses.Sent, Attempts = message.Attempts + 1, Reason = null }, cancellationToken);
            Moved(OutboxStatuses.Sent, message.Channel);
            return Delivered(message, FunnelStages.Sent, offer.Tier);
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
            if (parked)
            {
                Moved(OutboxStatuses.Parked, message.Channel);
            }

            return null;
        }
    }

    /// <summary>A program's SMS channel always has its text (the parser requires it); this stands in only for a version saved before.</summary>
    private const string DefaultSms = "You're pre-approved for a ${loanAmount} loan at {apr}% APR. Apply now: {link}";

    private ContactPolicy Policy => new(
        TimeSpan.FromDays(options.Value.FrequencyDays), options.Value.MaxMessagesPerOffer, options.Value.QuietHours, options.Value.SendWindow, state.State.SendNow);

    private OfferEmail EmailOf(ContactDecision decision, LoanOffer offer, LinkTarget target) => new(
        decision.Address!, decision.FirstName, offer.Amount, offer.Apr, offer.Roi, offer.Tenure, offer.MonthlyPayment, offer.ProcessingFee,
        offer.TotalRepayable, offer.ExpiresAt,
        links.For(target, TrackingLinks.Click),
        links.For(target, TrackingLinks.Unsubscribe),
        links.For(target, TrackingLinks.PrescreenOptOut),
        links.For(target, TrackingLinks.Open));

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {ProgramId}/{RunId} started (send now: {SendNow})")]
    private partial void LogStarted(string programId, string runId, bool sendNow);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {ProgramId}/{RunId} completed: {Sent} sent, {Suppressed} suppressed, {Parked} parked")]
    private partial void LogCompleted(string programId, string runId, int sent, int suppressed, int parked);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {ProgramId}/{RunId} stopped sending; its reminder starts it again")]
    private partial void LogSendingStopped(Exception failure, string programId, string runId);
}
