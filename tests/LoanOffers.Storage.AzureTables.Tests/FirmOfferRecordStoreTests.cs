using System.Text;
using Azure.Data.Tables;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;

namespace LoanOffers.Storage.AzureTables.Tests;

/// <summary>Firm-offer records: appended in bulk, never overwritten, encrypted inputs, kept exactly 25 months.</summary>
[Collection(SiloCollection.Name)]
public sealed class FirmOfferRecordStoreTests(SiloFixture fixture)
{
    private static readonly DateTimeOffset MadeAt = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private static readonly ProgramConfig Program = ProgramConfigParser.ParseYaml(DemoPrograms.LoanOfferTargetingYaml).Config!;

    private async Task<(FirmOfferRecordStore Store, TableClient Table)> NewStoreAsync()
    {
        var service = new TableServiceClient(fixture.ConnectionString);
        var tableName = AzuriteFixture.UniqueName("rec");
        var store = new FirmOfferRecordStore(service, tableName, "customer", fixture.SiloServices.GetRequiredService<Serializer>(),
            new StateEncryption(new Dictionary<string, byte[]> { [SiloFixture.FirstKeyId] = SiloFixture.FirstKey }, SiloFixture.FirstKeyId),
            NullLogger<FirmOfferRecordStore>.Instance);
        await store.CreateTableAsync();
        return (store, service.GetTableClient(tableName));
    }

    private static FirmOfferRecord Record(string customerId, DateTimeOffset madeAt, string runId = "run-1")
    {
        var profile = SyntheticCustomers.Generate(1, customerId.GetHashCode()).Single() with { CustomerId = customerId, AnnualIncome = 123_456.78m };
        var offer = new LoanOffer("OF-" + customerId, "excellent", 7.5m, 8.1m, 20_000m, 36, 300m, 622.1m, 22_395.6m, 1, 0.4, 510m, 120m, madeAt.AddDays(90), Program.ProgramId);
        var decision = new CustomerDecision
        {
            RunId = runId,
            ProgramId = Program.ProgramId,
            ConfigVersion = Program.Version,
            CustomerId = customerId,
            EvaluatedAt = madeAt,
            Outcome = DecisionOutcome.Offered,
            FilterResult = FilterResult.Pass,
            Tier = "excellent",
            ModelScores = [new ModelScore("loan-approval-v4", "1", 0.91), new ModelScore("default-risk-v3", "1", 0.02)],
            Offers = [offer],
        };
        return FirmOfferRecord.Of(decision, profile);
    }

    [Fact]
    public async Task Records_read_back_whole_newest_first_with_their_criteria_and_inputs_encrypted_at_rest()
    {
        var (store, table) = await NewStoreAsync();
        await store.KeepCriteriaAsync(Program, MadeAt.AddDays(7));
        var customers = Enumerable.Range(0, 2_000).Select(i => $"C{i:D5}").ToList();

        await store.AppendAsync([.. customers.Select(id => Record(id, MadeAt)), Record("C00007", MadeAt.AddDays(7), "run-2")]);

        var pages = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(row => row.PartitionKey != "criteria", select: ["RowKey"]))
        {
            pages++;
        }

        Assert.InRange(pages, 2, 256 + 1);
        Assert.All(customers.Skip(10).Take(50), id => Assert.Equal(id, Assert.Single(store.ForCustomerAsync(id).GetAwaiter().GetResult().Records).CustomerId));

        var read = await store.ForCustomerAsync("C00007");
        Assert.Equal(["run-2", "run-1"], read.Records.Select(record => record.RunId));
        Assert.Equal(123_456.78m, read.Records[0].DecisionInputs.AnnualIncome);
        Assert.Equal(0.91, read.Records[0].Models[0].Score);
        Assert.Equal("OF-C00007", Assert.Single(read.Records[0].Offers).OfferId);
        var criteria = Assert.Single(read.Criteria);
        Assert.Equal((Program.ProgramId, Program.Version), (criteria.ProgramId, criteria.Version));
        Assert.Equal(Program.FilterChain.Count, criteria.Config.FilterChain.Count);
        await foreach (var row in table.QueryAsync<TableEntity>(row => row.PartitionKey != "criteria"))
        {
            Assert.Equal(SiloFixture.FirstKeyId, row.GetString("KeyId"));
            var stored = StateRows.GetPayload(row) ?? [];
            Assert.NotEmpty(stored);
            Assert.False(stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes("123456.78")) >= 0);
            Assert.False(stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes("OF-C")) >= 0);
        }
    }

    [Fact]
    public async Task A_record_appended_again_is_kept_as_first_written()
    {
        var (store, _) = await NewStoreAsync();
        var first = Record("C1", MadeAt);
        await store.AppendAsync([first, Record("C2", MadeAt)]);

        await store.AppendAsync([first with { Tier = "changed" }, Record("C3", MadeAt)]);

        Assert.Equal("excellent", Assert.Single((await store.ForCustomerAsync("C1")).Records).Tier);
        Assert.Single((await store.ForCustomerAsync("C3")).Records);
    }

    [Fact]
    public async Task The_purge_keeps_a_record_for_25_months_after_its_offer_and_removes_it_after()
    {
        var (store, _) = await NewStoreAsync();
        await store.KeepCriteriaAsync(Program, MadeAt);
        await store.AppendAsync([Record("C1", MadeAt)]);
        await store.KeepCriteriaAsync(Program, MadeAt.AddMonths(2));
        await store.AppendAsync([Record("C1", MadeAt.AddMonths(2), "run-2")]);

        var early = await store.PurgeAsync(Program.ProgramId, MadeAt.AddMonths(25).AddDays(-1));
        var kept = await store.ForCustomerAsync("C1");
        var due = await store.PurgeAsync(Program.ProgramId, MadeAt.AddMonths(25).AddDays(1));
        var after = await store.ForCustomerAsync("C1");

        Assert.Equal(0, early);
        Assert.Equal(2, kept.Records.Count);
        Assert.Single(kept.Criteria);
        Assert.Equal(1, due);
        Assert.Equal("run-2", Assert.Single(after.Records).RunId);
        Assert.Single(after.Criteria);
        Assert.Equal(0, await store.PurgeAsync("another-program", MadeAt.AddYears(10)));
        Assert.Equal(2, await store.PurgeAsync(Program.ProgramId, MadeAt.AddMonths(27).AddDays(1)));
        Assert.Empty((await store.ForCustomerAsync("C1")).Criteria);
    }
}
