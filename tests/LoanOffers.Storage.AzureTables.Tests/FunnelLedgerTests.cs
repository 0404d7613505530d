using Azure.Data.Tables;
using LoanOffers.Domain;
using LoanOffers.Testing;

namespace LoanOffers.Storage.AzureTables.Tests;

[Collection(SiloCollection.Name)]
public sealed class FunnelLedgerTests(SiloFixture fixture)
{
    private async Task<FunnelLedger> NewLedgerAsync()
    {
        var ledger = new FunnelLedger(new TableServiceClient(fixture.ConnectionString), AzuriteFixture.UniqueName("funnel"));
        await ledger.CreateTableAsync();
        return ledger;
    }

    private static FunnelEvent Sent(int customer, string channel) =>
        new("p1", "r1", $"C{customer:D4}", customer % 2 == 0 ? "excellent" : "good") { ChannelStage = (channel, FunnelStages.Sent) };

    [Fact]
    public async Task Events_recorded_together_count_as_one_by_one_and_a_customers_two_channels_land_on_its_one_row()
    {
        var together = await NewLedgerAsync();
        var oneByOne = await NewLedgerAsync();

        // More than a transaction holds, with a customer's email and text in the same call, and an open recorded before.
        IReadOnlyList<FunnelEvent> events = [
            .. Enumerable.Range(0, 250).Select(customer => Sent(customer, ChannelTypes.Email)),
            .. Enumerable.Range(0, 250).Where(customer => customer % 5 == 0).Select(customer => Sent(customer, ChannelTypes.Sms)),
        ];
        var opened = Sent(7, ChannelTypes.Email) with { ChannelStage = (ChannelTypes.Email, FunnelStages.Opened) };
        await together.RecordAsync(opened);
        await oneByOne.RecordAsync(opened);

        await together.RecordAllAsync(events);
        foreach (var funnelEvent in events)
        {
            await oneByOne.RecordAsync(funnelEvent);
        }

        var segments = await together.SegmentsAsync("p1", "r1", ["excellent", "good"]);
        Assert.Equal(await oneByOne.SegmentsAsync("p1", "r1", ["excellent", "good"]), segments);
        Assert.Equal(250, segments.Where(segment => segment.Channel == ChannelTypes.Email).Sum(segment => segment.Sent));
        Assert.Equal(50, segments.Where(segment => segment.Channel == ChannelTypes.Sms).Sum(segment => segment.Sent));
        Assert.Equal(250, segments.Where(segment => segment.Channel == "all").Sum(segment => segment.Sent));
        Assert.Equal(1, segments.Single(segment => segment.Tier == "good" && segment.Channel == ChannelTypes.Email).Opened);
    }

    [Fact]
    public async Task Restoring_events_already_recorded_changes_nothing()
    {
        var ledger = await NewLedgerAsync();
        List<FunnelEvent> events = [.. Enumerable.Range(0, 120).Select(customer => Sent(customer, ChannelTypes.Email))];
        await ledger.RecordAllAsync(events[..60].ToList());
        var clicked = Sent(3, ChannelTypes.Email) with { ChannelStage = (ChannelTypes.Email, FunnelStages.Clicked) };
        await ledger.RecordAsync(clicked);

        await ledger.RestoreAsync(events);
        await ledger.RestoreAsync(events);

        var records = await ledger.RecordsAsync("p1", "r1").ToListAsync();
        Assert.Equal(120, records.Count(record => record.Stage == "sent"));
        Assert.Equal(120, records.Where(record => record.Stage == "sent").Select(record => record.CustomerId).Distinct().Count());
        Assert.Equal("C0003", Assert.Single(records, record => record.Stage == "clicked").CustomerId);
    }
}
