using LoanOffers.Abstractions;
using Azure;
using Azure.Data.Tables;
using LoanOffers.Domain;

namespace LoanOffers.Storage.AzureTables;

/// <summary>The stages a message goes through with its customer, and what the customer did after.</summary>
public static class FunnelStages
{
    public const string Sent = "Sent";
    public const string Bounced = "Bounced";

    /// <summary>An email's open pixel loaded, or an in-app banner viewed.</summary>
    public const string Opened = "Opened";

    public const string Clicked = "Clicked";
}

/// <summary>One customer's way through a run's funnel, as one change to its row.</summary>
public sealed record FunnelEvent(string ProgramId, string RunId, string CustomerId, string? Tier)
{
    /// <summary>A channel stage reached (<see cref="FunnelStages"/>), or null.</summary>
    public (string Channel, string Stage)? ChannelStage { get; init; }

    /// <summary>The customer applied; the channel whose link it followed last, or <c>direct</c>.</summary>
    public string? AppliedVia { get; init; }

    /// <summary>The application's outcome: <c>funded</c> or <c>declined</c>.</summary>
    public string? Outcome { get; init; }

    public decimal? FundedAmount { get; init; }
}

/// <summary>One stage a customer reached in a run's funnel, by channel; the funded amount with a funded outcome.</summary>
public sealed record FunnelRecord(string CustomerId, string Tier, string Channel, string Stage, decimal? Amount);

/// <summary>A run's funnel in one tier and channel, seed 000's segment table; rates are of those sent (opens and clicks of those delivered).</summary>
public sealed record FunnelSegment(
    string Tier, string Channel, int Sent, int Delivered, int Bounced, int Opened, int Clicked, int Applied, int Funded, decimal FundedVolume)
{
    /// <summary>Applications the bank declined.</summary>
    public int Declined { get; init; }

    public double OpenRate => Rate(Opened, Delivered);

    public double ClickRate => Rate(Clicked, Delivered);

    public double ApplicationRate => Rate(Applied, Sent);

    public double FundedRate => Rate(Funded, Sent);

    /// <summary>Funded of applied.</summary>
    public double ApprovalRate => Rate(Funded, Applied);

    private static double Rate(int part, int whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);
}

/// <summary>
/// Each run's funnel on one Azure table: a row per customer (partition = program and run), merged into by whoever saw a
/// stage (the campaign sending, the customer opening and clicking, applying, the lender's outcome). A stage is a
/// flag, so recording it again changes nothing.
/// </summary>
public sealed class FunnelLedger(TableServiceClient service, string tableName)
{
    /// <summary>The applications row of a customer who applied without following any message.</summary>
    public const string Direct = "direct";

    private readonly TableClient _table = service.GetTableClient(tableName);

    public Task CreateTableAsync(CancellationToken cancellationToken = default) => _table.CreateIfNotExistsAsync(cancellationToken);

    public async Task RecordAsync(FunnelEvent funnelEvent, CancellationToken cancellationToken = default)
    {
        await _table.UpsertEntityAsync(RowOf(funnelEvent), TableUpdateMode.Merge, cancellationToken);
        Measure(funnelEvent);
    }

    /// <summary>
    /// Records many events at once: a customer's events become one row change and a run's rows go a hundred to an
    /// entity group transaction, so a campaign's sends cost a write per hundred customers rather than one each.
    /// </summary>
    public async Task RecordAllAsync(IReadOnlyCollection<FunnelEvent> events, CancellationToken cancellationToken = default)
    {
        await WriteAllAsync(events, cancellationToken);
        foreach (var funnelEvent in events)
        {
            Measure(funnelEvent);
        }
    }

    /// <summary>
    /// Records events again that may have been lost before they were written (the engine stopped while they waited to
    /// be batched); a stage is a flag, so what was written already stays as it was, and nothing is counted twice.
    /// </summary>
    public Task RestoreAsync(IReadOnlyCollection<FunnelEvent> events, CancellationToken cancellationToken = default) =>
        WriteAllAsync(events, cancellationToken);

    private async Task WriteAllAsync(IReadOnlyCollection<FunnelEvent> events, CancellationToken cancellationToken)
    {
        var rows = events
            .Select(RowOf)
            .GroupBy(row => (row.PartitionKey, row.RowKey))
            .Select(customer => customer.Aggregate((combined, row) =>
            {
                foreach (var (name, value) in row)
                {
                    combined[name] = value;
                }

                return combined;
            }));
        foreach (var chunk in rows.GroupBy(row => row.PartitionKey).SelectMany(partition => partition.Chunk(100)))
        {
            await _table.SubmitTransactionAsync(chunk.Select(row => new TableTransactionAction(TableTransactionActionType.UpsertMerge, row)), cancellationToken);
        }
    }

    private static TableEntity RowOf(FunnelEvent funnelEvent)
    {
        var row = new TableEntity(Partition(funnelEvent.ProgramId, funnelEvent.RunId), TableNames.EscapeKey(funnelEvent.CustomerId))
        {
            ["CustomerId"] = funnelEvent.CustomerId,
        };
        if (funnelEvent.Tier is { } tier)
        {
            row["Tier"] = tier;
        }

        if (funnelEvent.ChannelStage is var (channel, stage))
        {
            row[Column(channel, stage)] = true;
        }

        if (funnelEvent.AppliedVia is { } via)
        {
            row["AppliedVia"] = via;
        }

        if (funnelEvent.Outcome is { } outcome)
        {
            row["Outcome"] = outcome;
            row["FundedAmount"] = (double)(funnelEvent.FundedAmount ?? 0);
        }

        return row;
    }

    private static void Measure(FunnelEvent funnelEvent)
    {
        if (funnelEvent.ChannelStage is var (channel, stage))
        {
            EngineMeters.FunnelEvents.Add(1, new("stage", stage.ToLowerInvariant()), new("channel", channel));
        }

        if (funnelEvent.AppliedVia is { } via)
        {
            EngineMeters.FunnelEvents.Add(1, new("stage", "applied"), new("channel", via));
        }

        if (funnelEvent.Outcome is { } outcome)
        {
            EngineMeters.FunnelEvents.Add(1, new("stage", outcome), new("channel", "all"));
        }
    }

    /// <summary>
    /// Every stage each customer of the run reached: one per channel and stage (sent, bounced, opened, clicked), plus
    /// <c>applied</c> (with the channel the customer came by) and the application's outcome.
    /// </summary>
    public async IAsyncEnumerable<FunnelRecord> RecordsAsync(
        string programId, string runId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition(programId, runId)}"), cancellationToken: cancellationToken))
        {
            var customerId = row.GetString("CustomerId") ?? row.RowKey;
            var tier = row.GetString("Tier") ?? "unknown";
            foreach (var channel in Channels)
            {
                foreach (var stage in Stages.Where(stage => row.ContainsKey(Column(channel, stage))))
                {
                    yield return new FunnelRecord(customerId, tier, channel, stage.ToLowerInvariant(), null);
                }
            }

            var appliedVia = row.GetString("AppliedVia");
            if (appliedVia is not null)
            {
                yield return new FunnelRecord(customerId, tier, appliedVia, "applied", null);
            }

            if (row.GetString("Outcome") is { } outcome)
            {
                yield return new FunnelRecord(customerId, tier, appliedVia ?? Direct, outcome, outcome == "funded" ? (decimal)(row.GetDouble("FundedAmount") ?? 0) : null);
            }
        }
    }

    private static readonly IReadOnlyList<string> Stages = [FunnelStages.Sent, FunnelStages.Bounced, FunnelStages.Opened, FunnelStages.Clicked];

    /// <summary>The run's funnel per tier and channel, tiers in the order given, with a row per tier over all channels (<c>all</c>).</summary>
    public async Task<IReadOnlyList<FunnelSegment>> SegmentsAsync(string programId, string runId, IReadOnlyList<string> tiers, CancellationToken cancellationToken = default)
    {
        var counts = new Dictionary<(string Tier, string Channel), Counter>();
        await foreach (var row in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition(programId, runId)}"), cancellationToken: cancellationToken))
        {
            var tier = row.GetString("Tier") ?? "unknown";
            var via = row.GetString("AppliedVia");
            var outcome = row.GetString("Outcome");
            var amount = (decimal)(row.GetDouble("FundedAmount") ?? 0);
            foreach (var channel in Channels)
            {
                var reached = row.ContainsKey(Column(channel, FunnelStages.Sent)) || row.ContainsKey(Column(channel, FunnelStages.Bounced))
                    || row.ContainsKey(Column(channel, FunnelStages.Opened)) || via == channel;
                if (reached)
                {
                    CounterOf(counts, tier, channel).Add(row, channel, via == channel, outcome, amount);
                }
            }

            CounterOf(counts, tier, "all").Add(row, null, via is not null, outcome, amount);
        }

        return [.. counts
            .OrderBy(entry => tiers.Contains(entry.Key.Tier) ? tiers.ToList().IndexOf(entry.Key.Tier) : int.MaxValue)
            .ThenBy(entry => entry.Key.Tier, StringComparer.Ordinal)
            .ThenBy(entry => entry.Key.Channel == "all" ? int.MaxValue : Channels.ToList().IndexOf(entry.Key.Channel))
            .Select(entry => entry.Value.Segment(entry.Key.Tier, entry.Key.Channel))];
    }

    private static readonly IReadOnlyList<string> Channels = [ChannelTypes.Email, ChannelTypes.Sms, ChannelTypes.InApp];

    private static Counter CounterOf(Dictionary<(string, string), Counter> counts, string tier, string channel) =>
        counts.TryGetValue((tier, channel), out var counter) ? counter : counts[(tier, channel)] = new Counter();

    private static string Partition(string programId, string runId) => TableNames.EscapeKey(programId) + "|" + TableNames.EscapeKey(runId);

    /// <summary>A property name per channel and stage, e.g. <c>InAppClicked</c>.</summary>
    private static string Column(string channel, string stage) => channel switch
    {
        ChannelTypes.Email => "Email",
        ChannelTypes.Sms => "Sms",
        ChannelTypes.InApp => "InApp",
        _ => throw new ArgumentException($"'{channel}' is not a channel the funnel tracks.", nameof(channel)),
    } + stage;

    private sealed class Counter
    {
        private int _sent, _bounced, _opened, _clicked, _applied, _funded, _declined;
        private decimal _volume;

        /// <summary>Counts a customer's row for one channel, or for all channels when <paramref name="channel"/> is null.</summary>
        public void Add(TableEntity row, string? channel, bool applied, string? outcome, decimal amount)
        {
            bool Has(string stage) => channel is null
                ? Channels.Any(any => row.ContainsKey(Column(any, stage)))
                : row.ContainsKey(Column(channel, stage));

            // A bounce was a send the relay refused; an in-app banner is delivered by being viewed.
            var bounced = Has(FunnelStages.Bounced);
            _sent += Has(FunnelStages.Sent) || bounced || (channel == ChannelTypes.InApp && Has(FunnelStages.Opened)) ? 1 : 0;
            _bounced += bounced ? 1 : 0;
            _opened += Has(FunnelStages.Opened) ? 1 : 0;
            _clicked += Has(FunnelStages.Clicked) ? 1 : 0;
            if (applied)
            {
                _applied++;
                if (outcome == "funded")
                {
                    _funded++;
                    _volume += amount;
                }
                else if (outcome == "declined")
                {
                    _declined++;
                }
            }
        }

        public FunnelSegment Segment(string tier, string channel) =>
            new(tier, channel, _sent, _sent - _bounced, _bounced, _opened, _clicked, _applied, _funded, _volume) { Declined = _declined };
    }
}
