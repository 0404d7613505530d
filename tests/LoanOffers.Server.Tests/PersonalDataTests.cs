using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using LoanOffers.Domain;
using LoanOffers.Server.Security;

namespace LoanOffers.Server.Tests;

/// <summary>What the engine stores of a customer holds no personal value in plain form.</summary>
[Collection(ApiCollection.Name)]
public sealed class PersonalDataTests(EngineApiFactory factory)
{
    [Fact]
    public async Task A_customer_row_read_straight_from_azurite_holds_no_name_email_phone_birth_date_or_income_in_plain_form()
    {
        var programId = "pii-" + Guid.NewGuid().ToString("N")[..8];
        var customer = SyntheticCustomers.Generate(1, 11).Single() with
        {
            CustomerId = programId + "-C1",
            FirstName = "Zebediah",
            Email = "zebediah.quux@example.com",
            Phone = "+15550001234",
            AnnualIncome = 123_456.78m,
            DepositBalance = 98_765.43m,
            DateOfBirth = new DateOnly(1979, 3, 14),
        };
        var others = SyntheticCustomers.Generate(20, 12).Select(profile => profile with { CustomerId = programId + "-" + profile.CustomerId });
        var csv = new StringWriter();
        CustomerCsvWriter.Write(csv, [customer, .. others]);
        await File.WriteAllTextAsync(Path.Combine(factory.DataDirectory, programId + ".csv"), csv.ToString());
        using var admin = factory.CreateClient(EngineRoles.LendingAdmin);
        var yaml = DemoRuns.Yaml(programId, 1).Replace("type: \"synthetic\"", "type: \"csv\"").Replace("count: 1\n", $"path: \"{programId}.csv\"\n");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/v1/admin/programs/{programId}", new StringContent(yaml, Encoding.UTF8, "application/yaml"))).StatusCode);
        var run = await admin.PostAsync($"/api/v1/admin/programs/{programId}/runs", null);
        var runUrl = run.Headers.Location!.ToString();
        JsonElement status;
        do
        {
            await Task.Delay(100);
            status = await admin.GetFromJsonAsync<JsonElement>(runUrl);
        }
        while (status.GetProperty("state").GetString() == "Running");
        Assert.Equal(21, status.GetProperty("processed").GetInt32());

        var needles = new[]
        {
            "Zebediah", "zebediah.quux@example.com", "+15550001234", "123456.78", "98765.43", "1979-03-14",
        }.SelectMany(text => new[] { Encoding.UTF8.GetBytes(text), Encoding.Unicode.GetBytes(text) })
            .Concat([DecimalBytes(customer.AnnualIncome), DecimalBytes(customer.DepositBalance)])
            .ToList();
        var service = new TableServiceClient(factory.Azurite.ConnectionString);
        var rows = 0;
        var customerRows = 0;
        await foreach (var table in service.QueryAsync(t => t.Name.CompareTo(factory.TablePrefix) >= 0 && t.Name.CompareTo(factory.TablePrefix + "~") < 0))
        {
            await foreach (var row in service.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                rows++;
                customerRows += table.Name.StartsWith(factory.TablePrefix + Orleans.Hosting.EngineStorageOptions.CustomerTableName, StringComparison.Ordinal) && row.GetString("KeyId") is not null ? 1 : 0;
                var stored = ((IDictionary<string, object>)row).Values.SelectMany(value => value switch
                {
                    byte[] bytes => bytes,
                    BinaryData data => data.ToArray(),
                    string text => Encoding.UTF8.GetBytes(text),
                    _ => [],
                }).ToArray();
                foreach (var needle in needles)
                {
                    Assert.False(stored.AsSpan().IndexOf(needle) >= 0, $"{table.Name} {row.PartitionKey}/{row.RowKey} holds {Encoding.UTF8.GetString(needle)} in plain form.");
                }
            }
        }

        Assert.True(customerRows >= 21, $"Only {customerRows} encrypted customer rows among {rows} rows.");
    }

    private static byte[] DecimalBytes(decimal value) => decimal.GetBits(value).SelectMany(BitConverter.GetBytes).ToArray();
}
