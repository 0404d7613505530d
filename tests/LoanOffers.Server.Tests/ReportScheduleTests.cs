using System.Net.Http.Json;
using System.Text.Json;
using LoanOffers.Server.Security;

namespace LoanOffers.Server.Tests;

/// <summary>The reports made by their schedule alone: a reminder finds them due and makes them, with no one asking.</summary>
public sealed class ReportScheduleTests : IAsyncLifetime
{
    // Every minute, so a test sees the schedule fire; the check runs as often as reminders may.
    private readonly EngineApiFactory _engine = EngineApiFactory.With(
        ("Reports:NightlySchedule", "* * * * *"), ("Reports:DailySchedule", "* * * * *"), ("Reports:ExportSchedule", "* * * * *"), ("Reports:CheckPeriod", "00:01:00"), ("Reports:TimeZone", "UTC"));

    public Task InitializeAsync() => ((IAsyncLifetime)_engine).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_engine).DisposeAsync();

    [Fact]
    public async Task The_schedule_makes_the_totals_the_daily_report_and_the_warehouse_export_of_the_day_just_ended_by_itself()
    {
        using var analyst = _engine.CreateClient(EngineRoles.RiskAnalyst);
        var deadline = DateTime.UtcNow.AddMinutes(3);
        JsonElement index;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "No scheduled report was made within three minutes.");
            await Task.Delay(1000);
            index = await analyst.GetFromJsonAsync<JsonElement>("/api/v1/admin/reports/daily");
        }
        while (index.GetProperty("days").GetArrayLength() == 0);

        // A schedule fires after midnight for the business day that ended: yesterday, in the bank's zone (UTC here).
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        var made = index.GetProperty("days").EnumerateArray().Select(listed => DateOnly.Parse(listed.GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Contains(made, listed => listed == day || listed == day.AddDays(1));
        var last = index.GetProperty("status").GetProperty("last");
        Assert.Equal("schedule", last.GetProperty("request").GetProperty("requestedBy").GetString());
        var totals = await analyst.GetFromJsonAsync<JsonElement>($"/api/v1/admin/reports/totals/{made[0]:yyyy-MM-dd}");
        Assert.Equal(made[0].ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), totals.GetProperty("day").GetString());

        // The warehouse export of that day's week, made by its schedule too (it may come after the daily report).
        var exported = await analyst.GetAsync($"/api/v1/admin/reports/exports/{made[0]:yyyy-MM-dd}");
        while (exported.StatusCode == System.Net.HttpStatusCode.NotFound && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000);
            exported = await analyst.GetAsync($"/api/v1/admin/reports/exports/{made[0]:yyyy-MM-dd}");
        }

        var manifest = await exported.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(LoanOffers.Storage.AzureTables.WarehouseStore.SchemaVersion, manifest.GetProperty("schemaVersion").GetInt32());
    }
}
