using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Scoring;
using LoanOffers.Storage.AzureTables;
using System.Collections.Immutable;
using System.Text.Json;
using Orleans;
using Orleans.Concurrency;
using Orleans.Placement;

namespace LoanOffers.Grains;

/// <summary>A customer's standing in one program: its latest decision and the offers that program has live.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ProgramStanding")]
public sealed record ProgramStanding
{
    [Id(0)] public required CustomerDecision Decision { get; init; }

    /// <summary>
    /// Offers of an earlier run that are still live after a later decision without offers; empty while the latest
    /// decision holds the live offers itself, so a row never carries the same offers twice.
    /// </summary>
    [Id(1)] public IReadOnlyList<LoanOffer> EarlierOffers { get; init; } = [];

    [Id(2)] public string? OffersRunId { get; init; }

    [Id(3)] public CandidateEntry? IndexedCandidate { get; init; }

    /// <summary>The offers this program withdrew because a later run no longer qualified the customer, newest last.</summary>
    [Id(4)] public IReadOnlyList<OfferWithdrawal> Withdrawals { get; init; } = [];

    /// <summary>The program version whose criteria the live offers were made on.</summary>
    [Id(5)] public int OffersConfigVersion { get; init; }

    /// <summary>The offers of this program that are live, before their expiry is checked.</summary>
    public IReadOnlyList<LoanOffer> LiveOffers => OffersRunId == Decision.RunId ? Decision.Offers : EarlierOffers;

    /// <summary>The live offers that have not expired by <paramref name="now"/>.</summary>
    public IEnumerable<LoanOffer> LiveAt(DateTimeOffset now) => LiveOffers.Where(offer => offer.ExpiresAt > now);

    /// <summary>An offer this program made the customer, live or in its latest decision; null when it made no such offer.</summary>
    public LoanOffer? MadeOffer(string offerId) => LiveOffers.Concat(Decision.Offers).FirstOrDefault(offer => offer.OfferId == offerId);

    /// <summary>The best-ranked offer live at <paramref name="now"/>; null when there is none.</summary>
    public LoanOffer? BestAt(DateTimeOffset now) => LiveAt(now).MinBy(offer => offer.Rank);

    private const int WithdrawalHistoryLimit = 20;

    /// <summary>The standing with its live offers and index row gone, and <paramref name="withdrawal"/> recorded.</summary>
    public ProgramStanding Withdraw(OfferWithdrawal withdrawal) => this with
    {
        EarlierOffers = [],
        OffersRunId = null,
        IndexedCandidate = null,
        Withdrawals = [.. Withdrawals.TakeLast(WithdrawalHistoryLimit - 1), withdrawal],
    };
}

/// <summary>
/// Everything the engine knows of one customer, written once per run as one row: the profile, a standing per program
/// (run ids are a program's own, so programs never read each other's decisions), and what spans all programs: when
/// the customer was last offered anything (the 90-day window) and the contact history.
/// </summary>
[GenerateSerializer, Immutable, Alias("loanoffers.CustomerState")]
public sealed record CustomerState
{
    [Id(0)] public CustomerProfile? Profile { get; init; }

    [Id(5)] public DateTimeOffset? LastOfferAt { get; init; }

    [Id(7)] public IReadOnlyList<ContactRecord> ContactHistory { get; init; } = [];

    /// <summary>The customer's applications, by the offers accepted.</summary>
    [Id(10)] public IReadOnlyList<LoanApplication> Applications { get; init; } = [];

    /// <summary>The ids of the latest events applied, so an event sent again is not applied twice.</summary>
    [Id(9)] public IReadOnlyList<string> AppliedEventIds { get; init; } = [];

    /// <summary>What the customer did with the offers it was shown, fading over time; null until it was shown one.</summary>
    [Id(11)] public BehaviorSignals? Responses { get; init; }

    /// <summary>The responses already counted (a message shown, an offer clicked, ...), newest last, so none counts twice.</summary>
    [Id(12)] public IReadOnlyList<string> CountedResponses { get; init; } = [];

    [Id(8)] public ImmutableDictionary<string, ProgramStanding> Programs { get; init; } = ImmutableDictionary<string, ProgramStanding>.Empty.WithComparers(StringComparer.Ordinal);

    private const int ContactHistoryLimit = 20;

    /// <summary>The state with <paramref name="contact"/> last in its contact history, which keeps the latest 20.</summary>
    public CustomerState WithContact(ContactRecord contact) => this with { ContactHistory = [.. ContactHistory.TakeLast(ContactHistoryLimit - 1), contact] };
}

/// <remarks>
/// Placed on the silo that first calls it: a batch reads each storage partition ahead on its own silo, so the
/// customers it evaluates must activate there to find their rows in that silo's read-ahead.
/// </remarks>
[GrainType(EngineNames.CustomerGrainType), PreferLocalPlacement]
public sealed class CustomerGrain(
    [PersistentState(EngineNames.CustomerStateName, EngineNames.CustomerStore)] IPersistentState<CustomerState> state,
    CustomerPipeline pipeline,
    CustomerActivations activations,
    IGrainContext context,
    LocalOfferReads localReads,
    CandidateIndex candidateIndex,
    FunnelLedger funnel,
    SuppressionList suppressions,
    TimeProvider time) : Grain, ICustomerGrain, IIncomingGrainCallFilter, IDisposable
{
    private const int AppliedEventLimit = 100;
    private const int CountedResponseLimit = 100;

    // Taken before the state is read (construction precedes the read), so a batch that writes this customer's row
    // without the grain knows this activation may hold the row as it was before the write.
    private readonly CustomerActivations.CustomerRegistration _activation = activations.Register(context.GrainId);
    private Task? _reread;

    private Immutable<byte[]?> _offersJson;
    private Immutable<byte[]?> _customerOffersJson;
    private DateTimeOffset _offersJsonValidUntil = DateTimeOffset.MinValue;

    public async Task<CustomerEvaluation> Evaluate(EvaluateCustomer command)
    {
        var current = state.State;
        var step = await pipeline.RunAsync(current, command);
        if (step.Next is { } next)
        {
            await CommitAsync(current, next);

            // A batch visits every customer once; the book stays in storage, not in memory, until an app asks for it.
            DeactivateOnIdle();
        }

        return step.Evaluation;
    }

    /// <summary>
    /// Before any call: an activation that started while a batch held a fence on its partition may have read the row
    /// the batch then wrote, so once the fence closes it reads the row again (one reread, which concurrent read-only
    /// calls wait for). A reread that fails leaves nothing stale to serve: the activation goes.
    /// </summary>
    async Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        if (_activation.TakeStale())
        {
            _reread = RereadAsync();
        }

        if (_reread is { IsCompleted: false } reread)
        {
            await reread;
        }

        await context.Invoke();
    }

    private async Task RereadAsync()
    {
        DropPublishedAnswer();
        _activation.ForgetPrefetched();
        try
        {
            await state.ReadStateAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        localReads.Withdraw(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    /// <summary>Withdraws the answer published for the state in memory, so the next read builds it from the state anew.</summary>
    private void DropPublishedAnswer()
    {
        localReads.Withdraw(this.GetPrimaryKeyString());
        _offersJsonValidUntil = DateTimeOffset.MinValue;
    }

    /// <summary>Runs however the activation ends, also when it failed before it was active (no deactivation then).</summary>
    public void Dispose() => _activation.Dispose();

    public Task<CustomerOffers?> GetOffers() => Task.FromResult(ActiveOffers(time.GetUtcNow()));

    public Task<Immutable<byte[]?>> GetOffersJson(OfferAudience audience)
    {
        var now = time.GetUtcNow();
        if (now >= _offersJsonValidUntil)
        {
            var offers = ActiveOffers(now);
            _offersJson = new Immutable<byte[]?>(offers is null ? null : JsonSerializer.SerializeToUtf8Bytes(offers, ApiJson.Options));
            _customerOffersJson = new Immutable<byte[]?>(offers is null ? null : JsonSerializer.SerializeToUtf8Bytes(CustomerOffersView.From(offers), ApiJson.Options));
            _offersJsonValidUntil = offers?.Offers.Count > 0 ? offers.Offers.Min(offer => offer.ExpiresAt) : now.AddMinutes(1);
            localReads.Publish(this.GetPrimaryKeyString(), _offersJson.Value, _customerOffersJson.Value, _offersJsonValidUntil);
        }

        return Task.FromResult(audience == OfferAudience.Customer ? _customerOffersJson : _offersJson);
    }

    public async Task<RealTimeOffers?> RequestOffers(OfferRequestCommand command)
    {
        var current = state.State;
        if (current.Profile is null)
        {
            return null;
        }

        // A customer asking for offers is not a fresh solicitation, so the 90-day window does not apply here.
        var profile = current.Profile with { LastOfferAt = null };
        var decision = await pipeline.DecideAsync(current, profile, command.Program, command.Now, "realtime", command.RequestedAmount, command.RequestedTenure);
        return new RealTimeOffers(profile.CustomerId, command.Program.ProgramId, decision.Offers, decision.Adjustments,
            decision.Outcome == DecisionOutcome.Offered ? null : decision.Reasons.LastOrDefault(), decision.Reasons, decision.MatchedOfferId);
    }

    public Task<CustomerDecision?> GetDecision(string programId) => Task.FromResult(state.State.Programs.GetValueOrDefault(programId)?.Decision);

    public async Task<CustomerEventResult> ApplyEvent(CustomerEvent customerEvent)
    {
        var current = state.State;
        if (current.Profile is null)
        {
            return new CustomerEventResult(customerEvent.EventId, Known: false, Applied: false, []);
        }

        if (current.AppliedEventIds.Contains(customerEvent.EventId))
        {
            return new CustomerEventResult(customerEvent.EventId, Known: true, Applied: false, []);
        }

        if (CustomerEventKinds.OfferResponses.Contains(customerEvent.Kind))
        {
            return await RespondToOfferAsync(current, customerEvent);
        }

        var now = time.GetUtcNow();
        var profile = customerEvent.ApplyTo(current.Profile);
        var programs = current.Programs;
        var withdrawn = new List<EventWithdrawal>();
        var unindexed = new List<CandidateEntry>();
        foreach (var (programId, standing) in current.Programs)
        {
            var live = standing.LiveAt(now).ToList();
            if (live.Count == 0 || await CriteriaOfAsync(programId, standing) is not { } criteria)
            {
                continue;
            }

            // A firm offer stands on the criteria it was made on, not on today's configuration; the contact window is
            // about new solicitations, so it is left out of the re-check.
            var check = FilterChainCache.For(criteria).Evaluate(profile with { LastOfferAt = null }, now);
            if (check.Passed)
            {
                continue;
            }

            var code = check.ReasonCode ?? "REJECTED";
            var offerIds = live.Select(offer => offer.OfferId).ToList();
            withdrawn.Add(new EventWithdrawal(programId, code, offerIds));
            if (standing.IndexedCandidate is { } indexed)
            {
                unindexed.Add(indexed);
            }

            programs = programs.SetItem(programId, standing.Withdraw(new OfferWithdrawal(now, "event:" + customerEvent.EventId, code, check.Reason ?? string.Empty, offerIds)));
        }

        // The index row goes first: if the state write then fails, the event is refused and applies again when resent.
        if (unindexed.Count > 0)
        {
            await candidateIndex.WriteAsync([], unindexed);
        }

        await CommitAsync(current, current with
        {
            Profile = profile,
            Programs = programs,
            AppliedEventIds = [.. current.AppliedEventIds.TakeLast(AppliedEventLimit - 1), customerEvent.EventId],
        });
        return new CustomerEventResult(customerEvent.EventId, Known: true, Applied: true, withdrawn);
    }

    public async Task<AcceptanceResult> Accept(AcceptOffer command)
    {
        var current = state.State;
        if (current.Applications.FirstOrDefault(application => application.Offer.OfferId == command.OfferId) is { } existing)
        {
            // Opened again in case the first acceptance stopped between storing the application and opening it.
            await GrainFactory.GetGrain<IApplicationGrain>(existing.ApplicationId).Open(existing);
            return new AcceptanceResult(AcceptanceOutcome.Applied, existing, []);
        }

        var now = time.GetUtcNow();
        var found = current.Programs
            .Select(program => (Standing: program.Value, Offer: program.Value.LiveOffers.FirstOrDefault(offer => offer.OfferId == command.OfferId)))
            .FirstOrDefault(match => match.Offer is not null);
        if (current.Profile is null || found.Offer is not { } offer)
        {
            var madeBefore = current.Programs.Values.Any(standing => standing.Withdrawals.Any(withdrawal => withdrawal.OfferIds.Contains(command.OfferId)));
            return new AcceptanceResult(madeBefore ? AcceptanceOutcome.Gone : AcceptanceOutcome.UnknownOffer, null, []);
        }

        if (offer.ExpiresAt <= now)
        {
            return new AcceptanceResult(AcceptanceOutcome.Gone, null, []);
        }

        var standing = found.Standing;
        var criteria = await CriteriaOfAsync(offer.ProgramId, standing)
            ?? throw new InvalidOperationException($"Program '{offer.ProgramId}' has no configuration to check offer {offer.OfferId} against.");

        // The firm offer's own criteria, on the profile as the lender verified it; the contact window is not one of them.
        // The verified values are the lender's newer facts about the customer, so the profile keeps them either way.
        var verified = command.Verified?.ApplyTo(current.Profile) ?? current.Profile;
        var applicant = verified with { LastOfferAt = null };
        var unmet = FilterChainCache.For(criteria).EvaluateAll(applicant, now);
        if (unmet.Count > 0)
        {
            var reasons = unmet.Take(CustomerEvaluator.MaxPrincipalReasons).Select(result => new PrincipalReason(result.ReasonCode ?? "REJECTED", result.Reason ?? string.Empty)).ToList();
            await WithdrawAsync(current, verified, offer.ProgramId, standing, now,
                "accept:" + offer.OfferId, reasons[0].Code, reasons[0].Statement);
            return new AcceptanceResult(AcceptanceOutcome.CriteriaNotMet, null, reasons);
        }

        var features = new float[ModelFeatures.Names.Count];
        ModelFeatures.Extract(applicant, ModelFeatures.Names, features);
        var application = new LoanApplication(
            "AP-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(current.Profile.CustomerId + "|" + offer.OfferId)).AsSpan(0, 10)),
            current.Profile.CustomerId, offer.ProgramId, standing.OffersConfigVersion, offer, now, ApplicationStatuses.Applied, command.Verified)
        {
            RunId = standing.OffersRunId ?? standing.Decision.RunId,
            Facts = new ApplicationFacts(criteria.ScoringModels.FirstOrDefault()?.ModelId, features),
        };
        application = application with { AppliedVia = LastClickedChannel(current, offer.ProgramId, application.RunId) ?? FunnelLedger.Direct };

        // The accepted offer leaves the live offers: it is an application now, and nothing later withdraws it.
        var remaining = standing.LiveOffers.Where(live => live.OfferId != offer.OfferId).ToList();
        var applied = Counted(current, CustomerResponse.Applied, $"applied:{offer.ProgramId}.{application.RunId}", now);
        await CommitAsync(current, applied.WithContact(new ContactRecord(now, offer.ProgramId, standing.Decision.RunId, "application", offer.Amount)) with
        {
            Responses = applied.Responses?.AppliedAt(offer.Roi),
            Profile = verified,
            Programs = current.Programs.SetItem(offer.ProgramId, standing with { EarlierOffers = remaining, OffersRunId = null }),
            Applications = [.. current.Applications, application],
        });
        await GrainFactory.GetGrain<IApplicationGrain>(application.ApplicationId).Open(application);
        return new AcceptanceResult(AcceptanceOutcome.Applied, application, []);
    }

    public async Task<ContactDecision> PrepareContact(ContactRequest request)
    {
        var current = state.State;
        if (current.Profile is not { } profile)
        {
            return Suppressed(SuppressionReasons.UnknownCustomer);
        }

        var standing = current.Programs.GetValueOrDefault(request.ProgramId);
        if (standing is null || standing.OffersRunId != request.RunId || standing.BestAt(request.Now) is not { } offer)
        {
            return Suppressed(SuppressionReasons.OfferNotLive);
        }

        // The channels of the program version that made the offer, in priority order: when the policy allows fewer
        // messages than there are channels, the first ones that may reach the customer get them.
        var channels = (await CriteriaOfAsync(request.ProgramId, standing))?.Channels
            .Where(channel => channel.Enabled && channel.Type is ChannelTypes.Email or ChannelTypes.Sms)
            .OrderBy(channel => channel.Priority)
            .ToList() ?? [];
        if (channels.FirstOrDefault(channel => channel.Type == request.Channel) is not { } asked)
        {
            return Suppressed(SuppressionReasons.ChannelOff);
        }

        var already = current.ContactHistory.Any(contact => contact.MessageKey == request.MessageKey);
        if (await WhyNotAsync(current, profile, offer, asked, request) is { } reason)
        {
            return Suppressed(reason);
        }

        if (!already)
        {
            var sentForOffer = current.ContactHistory.Count(contact => contact.MessageKey is not null && contact.ProgramId == request.ProgramId && contact.RunId == request.RunId);
            var ahead = 0;
            foreach (var channel in channels.TakeWhile(channel => channel != asked))
            {
                var key = MessageKeys.Of(request.ProgramId, request.RunId, profile.CustomerId, channel.Type);
                if (current.ContactHistory.All(contact => contact.MessageKey != key) && await WhyNotAsync(current, profile, offer, channel, request) is null)
                {
                    ahead++;
                }
            }

            if (sentForOffer + ahead >= request.Policy.MaxMessagesPerOffer)
            {
                return Suppressed(SuppressionReasons.MessageLimit);
            }

            var earliest = ContactWindow.EarliestSend(
                request.Now, ContactWindow.ZoneOf(profile), request.Policy.SendNow ? null : asked.SendTime, request.Policy.SendWindow, request.Policy.QuietHours);
            if (earliest > request.Now)
            {
                return new ContactDecision(null, null, null, null) { DeferUntil = earliest };
            }

            await CommitAsync(current, Counted(current, CustomerResponse.Shown, $"shown:{request.ProgramId}.{request.RunId}", request.Now)
                .WithContact(new ContactRecord(request.Now, request.ProgramId, request.RunId, request.Channel, offer.Amount) { MessageKey = request.MessageKey }));
        }

        return new ContactDecision(offer, AddressOf(profile, request.Channel), profile.FirstName, null) { Channel = asked };

        static ContactDecision Suppressed(string why) => new(null, null, null, why);
    }

    /// <summary>Why a message on <paramref name="channel"/> may not reach the customer at all; null when it may.</summary>
    private async Task<string?> WhyNotAsync(CustomerState current, CustomerProfile profile, LoanOffer offer, ChannelConfig channel, ContactRequest request)
    {
        var key = MessageKeys.Of(request.ProgramId, request.RunId, profile.CustomerId, channel.Type);
        var address = AddressOf(profile, channel.Type);
        return profile.PrescreenOptOut ? SuppressionReasons.PrescreenOptOut
            : OptedOut(profile, channel.Type) ? SuppressionReasons.ChannelOptOut
            : string.IsNullOrWhiteSpace(address) ? SuppressionReasons.NoAddress
            : channel.ExcellentCreditOnly && offer.Tier != "excellent" ? SuppressionReasons.NotExcellentCredit
            : current.ContactHistory.Any(contact => contact.Kind == channel.Type && contact.MessageKey != key && contact.At > request.Now - request.Policy.FrequencyWindow)
                ? SuppressionReasons.FrequencyCap
            : await suppressions.ContainsAsync(channel.Type, address) ? SuppressionReasons.Suppressed
            : null;
    }

    private static string? AddressOf(CustomerProfile profile, string channel) => channel == ChannelTypes.Email ? profile.Email : profile.Phone;

    public async Task<bool> RecordEngagement(Engagement engagement)
    {
        var current = state.State;
        if (current.Profile is not { } profile)
        {
            return false;
        }

        var sent = engagement.Channel == ChannelTypes.InApp
            || current.ContactHistory.Any(contact => contact.MessageKey == MessageKeys.Of(engagement.ProgramId, engagement.RunId, profile.CustomerId, engagement.Channel));
        if (!sent || current.Programs.GetValueOrDefault(engagement.ProgramId)?.MadeOffer(engagement.OfferId) is not { } offer)
        {
            return false;
        }

        var next = await EngagedAsync(current, profile.CustomerId, engagement, offer);
        if (!ReferenceEquals(next, current))
        {
            await CommitAsync(current, next);
        }

        return true;
    }

    /// <summary>
    /// Records an engagement in the run's funnel and returns the state with it counted in the customer's behaviour
    /// (the same state when it was counted before); the caller stores it.
    /// </summary>
    private async Task<CustomerState> EngagedAsync(CustomerState current, string customerId, Engagement engagement, LoanOffer offer)
    {
        // The funnel row first: it is a flag, so if the state write then fails, recording again changes nothing there.
        await funnel.RecordAsync(new FunnelEvent(engagement.ProgramId, engagement.RunId, customerId, offer.Tier) { ChannelStage = (engagement.Channel, engagement.Stage) });
        var made = $"{engagement.ProgramId}.{engagement.RunId}";
        var next = Counted(current, CustomerResponse.Shown, "shown:" + made, engagement.At);
        if (engagement.Stage == EngagementStages.Clicked)
        {
            next = Counted(next, CustomerResponse.Clicked, "clicked:" + made, engagement.At);
            next = Counted(next, null, $"clicked-via:{made}.{engagement.Channel}", engagement.At);
            if (next.Responses?.ClickedAt(offer.Roi, offer.Amount) is { } resisting && resisting != next.Responses)
            {
                next = next with { Responses = resisting };
            }
        }

        return next;
    }

    /// <summary>An app's event about one of the customer's offers: the offer's program and run take the response, stored with the event id in one write.</summary>
    private async Task<CustomerEventResult> RespondToOfferAsync(CustomerState current, CustomerEvent customerEvent)
    {
        var match = current.Programs
            .Select(program => (Standing: program.Value, Offer: program.Value.MadeOffer(customerEvent.OfferId!)))
            .FirstOrDefault(found => found.Offer is not null);
        if (match.Offer is not { } offer)
        {
            return new CustomerEventResult(customerEvent.EventId, Known: true, Applied: false, []);
        }

        var runId = match.Standing.OffersRunId ?? match.Standing.Decision.RunId;
        var next = customerEvent.Kind == CustomerEventKinds.OfferDeclined
            ? Counted(current, CustomerResponse.Declined, $"declined:{offer.ProgramId}.{runId}", customerEvent.At)
            : await EngagedAsync(current, current.Profile!.CustomerId, new Engagement(
                offer.ProgramId, runId, ChannelTypes.InApp, offer.OfferId,
                customerEvent.Kind == CustomerEventKinds.OfferClicked ? EngagementStages.Clicked : EngagementStages.Opened, customerEvent.At), offer);
        await CommitAsync(current, next with { AppliedEventIds = [.. next.AppliedEventIds.TakeLast(AppliedEventLimit - 1), customerEvent.EventId] });
        return new CustomerEventResult(customerEvent.EventId, Known: true, Applied: true, []);
    }

    /// <summary>The state with one response counted under <paramref name="once"/>, unless it was counted before (then the same state).</summary>
    private static CustomerState Counted(CustomerState current, CustomerResponse? response, string once, DateTimeOffset at)
    {
        if (current.CountedResponses.Contains(once))
        {
            return current;
        }

        return current with
        {
            Responses = response is { } counted ? (current.Responses ?? BehaviorSignals.None(at)).With(counted, at) : current.Responses,
            CountedResponses = [.. current.CountedResponses.TakeLast(CountedResponseLimit - 1), once],
        };
    }

    /// <summary>The channel of the last message link the customer followed for this program and run; null when none.</summary>
    private static string? LastClickedChannel(CustomerState current, string programId, string? runId)
    {
        var prefix = $"clicked-via:{programId}.{runId}.";
        return current.CountedResponses.LastOrDefault(counted => counted.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
    }

    public async Task<CustomerBanners?> GetBanners(string placement)
    {
        var current = state.State;
        if (current.Profile is not { } profile)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var banners = new List<Banner>();
        if (!profile.PrescreenOptOut && !profile.InAppOptOut)
        {
            foreach (var (programId, standing) in current.Programs.OrderBy(program => program.Key, StringComparer.Ordinal))
            {
                if (standing.BestAt(now) is not { } best
                    || await CriteriaOfAsync(programId, standing) is not { } config
                    || config.Channels.FirstOrDefault(channel => channel.Enabled && channel.Type == ChannelTypes.InApp
                        && channel.Config.GetValueOrDefault("placement") == placement) is not { } inApp)
                {
                    continue;
                }

                var madeAt = standing.IndexedCandidate?.OfferedAt ?? standing.Decision.EvaluatedAt;
                var days = int.TryParse(inApp.Config.GetValueOrDefault("displayDuration"), out var duration) ? duration : config.CandidateTtlDays;
                var showUntil = Min(madeAt.AddDays(days), best.ExpiresAt);
                if (showUntil > now)
                {
                    banners.Add(new Banner(programId, placement, inApp.Config.GetValueOrDefault("bannerType") ?? "loan-offer", CustomerOfferTerms.From(best), showUntil));
                }
            }
        }

        return new CustomerBanners(profile.CustomerId, placement, banners);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static bool OptedOut(CustomerProfile profile, string channel) => channel switch
    {
        ChannelTypes.Email => profile.EmailOptOut,
        ChannelTypes.Sms => profile.SmsOptOut,
        _ => profile.InAppOptOut,
    };

    public Task<CustomerDecisions?> GetDecisions()
    {
        var current = state.State;
        var now = time.GetUtcNow();
        return Task.FromResult(current.Profile is null ? null : new CustomerDecisions(
            current.Profile.CustomerId,
            [.. current.Programs.OrderBy(program => program.Key, StringComparer.Ordinal).Select(program => new ProgramDecision(
                program.Key, program.Value.Decision, [.. program.Value.LiveAt(now)], program.Value.Withdrawals))],
            current.Applications));
    }

    /// <summary>
    /// The configuration the standing's live offers were made under (a firm offer is held to its own criteria); the
    /// current one for offers made before versions were kept.
    /// </summary>
    private async Task<ProgramConfig?> CriteriaOfAsync(string programId, ProgramStanding standing)
    {
        var program = GrainFactory.GetGrain<IProgramGrain>(programId);
        return await program.GetConfigVersion(standing.OffersConfigVersion) ?? await program.GetConfig();
    }

    /// <summary>Withdraws a program's live offers and its index row, recording why, and stores the profile they were re-checked on.</summary>
    private async Task WithdrawAsync(
        CustomerState current, CustomerProfile profile, string programId, ProgramStanding standing, DateTimeOffset now, string cause, string code, string reason)
    {
        var offerIds = standing.LiveOffers.Select(offer => offer.OfferId).ToList();
        if (standing.IndexedCandidate is { } indexed)
        {
            await candidateIndex.WriteAsync([], [indexed]);
        }

        await CommitAsync(current, current with
        {
            Profile = profile,
            Programs = current.Programs.SetItem(programId, standing.Withdraw(new OfferWithdrawal(now, cause, code, reason, offerIds))),
        });
    }

    /// <summary>Stores a changed state; the answer published for the old one is withdrawn first.</summary>
    private async Task CommitAsync(CustomerState current, CustomerState next)
    {
        // Nothing may be served from the answer published for the old state once the new one can be read.
        DropPublishedAnswer();
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The write may or may not have landed (a timeout), so memory is no longer the truth: the next call
            // reads the row again in a fresh activation, and a redone run finds its stored decision there or not.
            state.State = current;
            DeactivateOnIdle();
            throw;
        }
    }

    public Task<IReadOnlyList<OfferWithdrawal>> GetWithdrawals(string programId) =>
        Task.FromResult(state.State.Programs.GetValueOrDefault(programId)?.Withdrawals ?? []);

    public Task<IReadOnlyList<ContactRecord>> GetContacts() => Task.FromResult(state.State.ContactHistory);

    /// <summary>The live offers of every program, best expected value first and ranked across programs.</summary>
    private CustomerOffers? ActiveOffers(DateTimeOffset now)
    {
        var current = state.State;
        if (current.Profile is null || current.Programs.IsEmpty)
        {
            return null;
        }

        var live = current.Programs.Values
            .SelectMany(standing => standing.LiveAt(now))
            .OrderByDescending(offer => offer.ExpectedValue)
            .ThenBy(offer => offer.ProgramId, StringComparer.Ordinal)
            .ThenBy(offer => offer.Rank)
            .Select((offer, index) => offer with { Rank = index + 1 })
            .ToList();
        return new CustomerOffers(
            current.Profile.CustomerId,
            current.Programs.Values.Max(standing => standing.Decision.EvaluatedAt),
            live,
            live.Count == 0 ? CustomerOffers.NoLiveOffers : null);
    }

    public async Task<SimulatedDecisions> Simulate(SimulateCustomer command)
    {
        // The engine's own recent offers do not hold a customer back here: a what-if shows what a version would offer
        // the book, not what a run repeated days after the last one would (the source's last offer still counts).
        var current = state.State;
        var profile = CustomerPipeline.Merged(command.Profile, engineLastOffer: null);
        var proposed = await pipeline.DecideAsync(current, profile, command.Proposed, command.Now, command.SimulationId);
        var live = await pipeline.DecideAsync(current, profile, command.Live, command.Now, command.SimulationId);

        // Like a batch, a what-if run visits every customer once; nothing here is worth keeping in memory.
        DeactivateOnIdle();
        return new SimulatedDecisions(proposed, live);
    }
}
