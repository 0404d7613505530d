using System.Text;
using Azure.Data.Tables;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace LoanOffers.Storage.AzureTables.Tests;

/// <summary>Personal data in stored state is AES-GCM encrypted per row, carries its key id, and rotates to a new key.</summary>
[Collection(SiloCollection.Name)]
public sealed class EncryptionTests(SiloFixture fixture)
{
    private const string StateName = "profile";
    private static readonly byte[] SecondKey = Enumerable.Range(101, StateEncryption.KeyBytes).Select(i => (byte)i).ToArray();

    private IGrainStorage Encrypting => fixture.Storage(SiloFixture.EncryptingStore);

    private IEnumerable<string> Tables => GrainStateLayout.TableNamesFor(fixture.TablePrefix + SiloFixture.EncryptedTable, 2);

    private static GrainId NewGrain() => GrainId.Create("customer", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_stored_row_holds_no_personal_value_in_plain_form_and_reads_back_whole()
    {
        var grain = NewGrain();
        var profile = new ProfileV2 { Name = "Zebediah Quux-Personal", Score = 712, Income = 123_456.78m };

        await Encrypting.WriteStateAsync(StateName, grain, new GrainState<ProfileV2> { State = profile });

        var row = await RowAsync(grain);
        Assert.Equal(SiloFixture.FirstKeyId, row.GetString(StateRows.KeyIdProperty));
        var stored = AllStoredBytes(row);
        foreach (var needle in new[]
        {
            Encoding.UTF8.GetBytes("Zebediah"), Encoding.Unicode.GetBytes("Zebediah"), Encoding.UTF8.GetBytes("123456.78"),
            decimal.GetBits(profile.Income).SelectMany(BitConverter.GetBytes).ToArray(),
        })
        {
            Assert.False(stored.AsSpan().IndexOf(needle) >= 0, $"The row holds {Convert.ToHexString(needle)} in plain form.");
        }

        var read = new GrainState<ProfileV2>();
        await Encrypting.ReadStateAsync(StateName, grain, read);
        Assert.Equal(profile, read.State);
    }

    [Fact]
    public async Task A_ciphertext_copied_into_another_customers_row_does_not_decrypt()
    {
        var (victim, thief) = (NewGrain(), NewGrain());
        await Encrypting.WriteStateAsync(StateName, victim, new GrainState<ProfileV2> { State = new ProfileV2 { Name = "victim" } });
        await Encrypting.WriteStateAsync(StateName, thief, new GrainState<ProfileV2> { State = new ProfileV2 { Name = "thief" } });
        var (victimRow, thiefRow) = (await RowAsync(victim), await RowAsync(thief));

        StateRows.SetPayload(thiefRow, StateRows.GetPayload(victimRow));
        await TableFor(thief).UpdateEntityAsync(thiefRow, thiefRow.ETag, TableUpdateMode.Replace);

        var failure = await Assert.ThrowsAsync<StateDecryptionException>(() => Encrypting.ReadStateAsync(StateName, thief, new GrainState<ProfileV2>()));
        Assert.Contains("does not authenticate", failure.Message);
    }

    [Fact]
    public async Task Rotation_re_encrypts_every_row_under_the_new_key_and_a_second_pass_finds_nothing_to_do()
    {
        var grains = Enumerable.Range(0, 12).Select(_ => NewGrain()).ToList();
        foreach (var (grain, index) in grains.Select((grain, index) => (grain, index)))
        {
            await Encrypting.WriteStateAsync(StateName, grain, new GrainState<ProfileV2> { State = new ProfileV2 { Name = $"customer {index}", Income = 1000m + index } });
        }

        var before = await PlaintextsAsync(grains, new StateEncryption(new Dictionary<string, byte[]> { [SiloFixture.FirstKeyId] = SiloFixture.FirstKey }, SiloFixture.FirstKeyId));
        var rotated = new StateEncryption(new Dictionary<string, byte[]> { [SiloFixture.FirstKeyId] = SiloFixture.FirstKey, ["k2"] = SecondKey }, "k2");
        var service = new TableServiceClient(fixture.ConnectionString);

        var first = await StateKeyRotation.RotateAsync(service, Tables, rotated);
        var second = await StateKeyRotation.RotateAsync(service, Tables, rotated);

        Assert.True(first.Reencrypted >= grains.Count, $"{first}");
        Assert.Equal(0, second.Reencrypted);
        Assert.Equal(second.Rows, second.AlreadyCurrent);
        foreach (var grain in grains)
        {
            Assert.Equal("k2", (await RowAsync(grain)).GetString(StateRows.KeyIdProperty));
        }

        var onlySecondKey = new StateEncryption(new Dictionary<string, byte[]> { ["k2"] = SecondKey }, "k2");
        Assert.Equal(before, await PlaintextsAsync(grains, onlySecondKey));
        var unknownKey = await Assert.ThrowsAsync<StateDecryptionException>(() => Encrypting.ReadStateAsync(StateName, grains[0], new GrainState<ProfileV2>()));
        Assert.Contains("'k2'", unknownKey.Message);
    }

    private async Task<List<string>> PlaintextsAsync(IEnumerable<GrainId> grains, StateEncryption encryption)
    {
        var plaintexts = new List<string>();
        foreach (var grain in grains)
        {
            var row = await RowAsync(grain);
            plaintexts.Add(Convert.ToHexString(encryption.Decrypt(row.GetString(StateRows.KeyIdProperty)!, StateRows.GetPayload(row), StateRows.AssociatedData(row))));
        }

        return plaintexts;
    }

    private TableClient TableFor(GrainId grain)
    {
        var storage = (PartitionedTableGrainStorage)Encrypting;
        return new TableServiceClient(fixture.ConnectionString).GetTableClient(Tables.ElementAt(storage.Layout.Locate(grain, StateName).TableIndex));
    }

    private async Task<TableEntity> RowAsync(GrainId grain)
    {
        var location = ((PartitionedTableGrainStorage)Encrypting).Layout.Locate(grain, StateName);
        return (await TableFor(grain).GetEntityAsync<TableEntity>(location.PartitionKey, location.RowKey)).Value;
    }

    /// <summary>Every string and binary property of the row, as bytes.</summary>
    private static byte[] AllStoredBytes(TableEntity row) => ((IDictionary<string, object>)row).Values
        .SelectMany(value => value switch
        {
            byte[] bytes => bytes,
            BinaryData data => data.ToArray(),
            string text => Encoding.UTF8.GetBytes(text),
            _ => [],
        })
        .ToArray();
}
