using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Parquet;

namespace LoanOffers.Server.Tests;

/// <summary>The weekly warehouse export: Parquet files in blob storage, read back, with the schema and rows the manifest names.</summary>
[Collection(ApiCollection.Name)]
public sealed class WarehouseExportTests(EngineApiFactory factory)
{
    private static readonly string[] CandidateColumns = ["ProgramId", "CustomerId", "Tier", "Score", "LoanAmount", "Roi", "Apr", "OfferedAt", "ExpiresAt"];

    private static readonly string[] DecisionColumns =
    [
        "ProgramId", "RunId", "ProgramVersion", "CustomerId", "Tier", "MadeAt", "ExpiresAt", "ApprovalModel", "ApprovalScore", "DefaultRiskModel",
        "DefaultRiskScore", "Offers", "BestAmount", "BestApr",
    ];

    private static readonly string[] FunnelColumns = ["ProgramId", "RunId", "CustomerId", "Tier", "Channel", "Stage", "FundedAmount"];

    [Fact]
    public async Task A_weeks_export_writes_candidates_decisions_and_funnel_events_per_program_as_parquet_with_a_manifest_and_again_in_the_same_place()
    {
        using var admin = factory.CreateClient(EngineRoles.LendingAdmin);
        var programId = "export-" + Guid.NewGuid().ToString("N")[..8];
        var indexed = await DemoRuns.RunToEndAsync(admin, programId, 90);
        var run = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/programs/{programId}/runs"))[0];
        var runId = run.GetProperty("runId").GetString()!;
        var campaign = await DemoRuns.CampaignToEndAsync(admin, programId, runId);
        var sent = campaign.GetProperty("messages").GetProperty("sent").GetInt32();

        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).DateTime);
        var manifest = await ExportAsync(admin, day);
        Assert.Equal(WarehouseStore.SchemaVersion, manifest.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(WarehouseStore.WeekOf(day).ToString("yyyy-MM-dd"), manifest.GetProperty("week").GetString());
        var files = manifest.GetProperty("files").EnumerateArray().Where(file => file.GetProperty("programId").GetString() == programId)
            .ToDictionary(file => file.GetProperty("dataset").GetString()!, file => (Path: file.GetProperty("path").GetString()!, Rows: file.GetProperty("rows").GetInt32()));
        Assert.Equal(WarehouseDatasets.All.Order(), files.Keys.Order());
        Assert.Equal($"candidates/program={programId}/date={WarehouseStore.WeekOf(day):yyyy-MM-dd}/part-0.parquet", files[WarehouseDatasets.Candidates].Path);

        var container = new BlobServiceClient(factory.BlobConnectionString).GetBlobContainerClient(factory.ExportContainer);
        var candidates = await ReadAsync(container, files[WarehouseDatasets.Candidates].Path);
        var decisions = await ReadAsync(container, files[WarehouseDatasets.Decisions].Path);
        var funnel = await ReadAsync(container, files[WarehouseDatasets.FunnelEvents].Path);

        Assert.Equal(CandidateColumns, candidates.Columns);
        Assert.Equal(DecisionColumns, decisions.Columns);
        Assert.Equal(FunnelColumns, funnel.Columns);
        Assert.Equal((indexed.Count, indexed.Count, files[WarehouseDatasets.Candidates].Rows), (candidates.Rows, files[WarehouseDatasets.Candidates].Rows, candidates.Rows));
        Assert.Equal(run.GetProperty("offered").GetInt32(), decisions.Rows);
        Assert.Equal(files[WarehouseDatasets.Decisions].Rows, decisions.Rows);
        // Every message sent is one 'sent' event; the funnel has nothing else yet.
        Assert.Equal(sent, funnel.Rows);
        Assert.Equal(files[WarehouseDatasets.FunnelEvents].Rows, funnel.Rows);

        // The same week again (asked for by its Monday) replaces the same blobs: nothing is added beside them.
        var again = await ExportAsync(admin, WarehouseStore.WeekOf(day));
        Assert.Equal(manifest.GetProperty("week").GetString(), again.GetProperty("week").GetString());
        var blobs = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"candidates/program={programId}/", CancellationToken.None))
        {
            blobs.Add(blob.Name);
        }

        Assert.Equal([files[WarehouseDatasets.Candidates].Path], blobs);
    }

    [Fact]
    public async Task A_week_never_exported_answers_not_found()
    {
        using var analyst = factory.CreateClient(EngineRoles.RiskAnalyst);
        Assert.Equal(HttpStatusCode.NotFound, (await analyst.GetAsync("/api/v1/admin/reports/exports/2001-01-03")).StatusCode);
    }

    private static async Task<JsonElement> ExportAsync(HttpClient admin, DateOnly day)
    {
        var requested = await admin.PostAsJsonAsync("/api/v1/admin/reports", new { kind = "export", day });
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        await ReportsTests.WaitForAsync(admin, "export", day);
        return await admin.GetFromJsonAsync<JsonElement>(requested.Headers.Location);
    }

    private static async Task<(string[] Columns, long Rows)> ReadAsync(BlobContainerClient container, string path)
    {
        using var stream = new MemoryStream((await container.GetBlobClient(path).DownloadContentAsync()).Value.Content.ToArray());
        await using var reader = await ParquetReader.CreateAsync(stream);
        var rows = Enumerable.Range(0, reader.RowGroupCount).Sum(group => reader.OpenRowGroupReader(group).RowCount);
        return ([.. reader.Schema.GetDataFields().Select(field => field.Name)], rows);
    }
}
