using System.Text;
using System.Text.Json;
using LoanOffers.Abstractions;
using LoanOffers.Domain.Reports;
using LoanOffers.Server.Hosting;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>
/// Asks for a report of a business day now: <c>kind</c> is <c>totals</c> (the nightly metrics aggregation), <c>daily</c>
/// (the origination report) or <c>export</c> (the warehouse export of the week the day falls in).
/// </summary>
public sealed record ReportRequestBody(string? Kind, DateOnly? Day);

/// <summary>The days with a daily origination report, newest first, and what the reports grain is doing.</summary>
public sealed record DailyReportIndex(IReadOnlyList<DateOnly> Days, ReportsStatus Status);

/// <summary>A night's running totals per program, run, tier and channel, and each tier's live offers.</summary>
public sealed record NightlyTotals(DateOnly Day, IReadOnlyList<OriginationTotals> Totals);

/// <summary>
/// The lending team's reports: the daily origination report and the nightly totals it is built from, as JSON or CSV
/// (<c>Accept: text/csv</c> or <c>?format=csv</c>), and a way to make either now.
/// </summary>
public static class ReportsApi
{
    private const string CsvType = "text/csv";
    private const int MaxDays = 366;

    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/api/v1/admin/reports").WithTags("Reports").RequireAuthorization(EnginePolicies.ReportsRead);
        reports.WithRequestTimeout(EngineHostingExtensions.StorageTimeoutPolicy).WithBodyLimit(ApiLimits.NoBody);
        reports.MapGet("/daily", ListDailyAsync).WithName("ListDailyReports");
        reports.MapGet("/daily/{day}", GetDailyAsync).WithName("GetDailyReport");
        reports.MapGet("/totals/{day}", GetTotalsAsync).WithName("GetNightlyTotals");
        reports.MapGet("/exports/{day}", GetExportAsync).WithName("GetWarehouseExport");
        reports.MapPost("/", RequestAsync).WithName("RequestReport").RequireAuthorization(EnginePolicies.ReportsWrite)
            .RequireRateLimiting(EngineRateLimits.AdminWrites).WithBodyLimit(ApiLimits.MaxCommandBytes);
        return app;
    }

    public static async Task<Ok<DailyReportIndex>> ListDailyAsync(ReportStore store, IGrainFactory grains, CancellationToken cancellationToken) =>
        TypedResults.Ok(new DailyReportIndex(
            await store.DailyDaysAsync(MaxDays, cancellationToken), await grains.GetGrain<IReportsGrain>(IReportsGrain.Key).GetStatus()));

    public static async Task<Results<Ok<DailyOriginationReport>, FileContentHttpResult, ProblemHttpResult>> GetDailyAsync(
        DateOnly day, string? format, HttpRequest request, ReportStore store, CancellationToken cancellationToken)
    {
        if (await store.DailyAsync(day, cancellationToken) is not { } report)
        {
            return ApiValidation.NotFound($"There is no daily origination report of {day:yyyy-MM-dd}.");
        }

        return WantsCsv(format, request)
            ? Csv(writer => OriginationCsv.Write(report, writer), $"origination-{day:yyyy-MM-dd}.csv")
            : TypedResults.Ok(report);
    }

    public static async Task<Results<Ok<NightlyTotals>, FileContentHttpResult, ProblemHttpResult>> GetTotalsAsync(
        DateOnly day, string? format, HttpRequest request, ReportStore store, CancellationToken cancellationToken)
    {
        if (await store.TotalsAsync(day, cancellationToken) is not { } totals)
        {
            return ApiValidation.NotFound($"No nightly totals were taken for {day:yyyy-MM-dd}.");
        }

        return WantsCsv(format, request)
            ? Csv(writer => OriginationCsv.WriteTotals(day, totals, writer), $"totals-{day:yyyy-MM-dd}.csv")
            : TypedResults.Ok(new NightlyTotals(day, totals));
    }

    /// <summary>The manifest of the warehouse export of the week (Monday to Sunday) that <paramref name="day"/> falls in.</summary>
    public static async Task<Results<Ok<WarehouseManifest>, ProblemHttpResult>> GetExportAsync(DateOnly day, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetService<WarehouseStore>() is not { } warehouse)
        {
            return TypedResults.Problem("The warehouse export is not configured (ConnectionStrings:Blobs).", statusCode: StatusCodes.Status404NotFound, title: "Not configured");
        }

        var week = WarehouseStore.WeekOf(day);
        return await warehouse.ManifestAsync(week, cancellationToken) is { } manifest
            ? TypedResults.Ok(manifest)
            : ApiValidation.NotFound($"The week of {week:yyyy-MM-dd} has not been exported.");
    }

    public static async Task<Results<Accepted<ReportsStatus>, ValidationProblem>> RequestAsync(
        ReportRequestBody body, HttpContext context, IGrainFactory grains, AuditTrail audit, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.Kind is null || !ReportKinds.All.Contains(body.Kind))
        {
            errors["kind"] = [$"kind is one of {string.Join(", ", ReportKinds.All)}."];
        }

        // No zone is more than a day ahead of UTC, so a later day has not begun anywhere.
        var latest = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(1);
        if (body.Day is not { } day || day > latest || day < latest.AddDays(-MaxDays))
        {
            errors["day"] = [$"day is a date (yyyy-MM-dd) from {latest.AddDays(-MaxDays):yyyy-MM-dd} to {latest:yyyy-MM-dd}."];
        }

        if (errors.Count > 0)
        {
            return ApiValidation.Invalid(errors);
        }

        var actor = AuditActors.Of(context);
        var request = new ReportRequest(body.Kind!, body.Day!.Value, actor.Subject);
        var status = await grains.GetGrain<IReportsGrain>(IReportsGrain.Key).Request(request);
        await audit.AppendAsync(new AuditRecord(
            actor, AuditActions.ReportRequested, $"{request.Kind}/{request.Day:yyyy-MM-dd}", null, JsonSerializer.Serialize(request, ApiJson.Options), []), CancellationToken.None);
        var place = request.Kind switch { ReportKinds.Daily => "daily", ReportKinds.Export => "exports", _ => "totals" };
        return TypedResults.Accepted($"/api/v1/admin/reports/{place}/{request.Day:yyyy-MM-dd}", status);
    }

    private static bool WantsCsv(string? format, HttpRequest request) =>
        string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase) || request.Headers.Accept.ToString().Contains(CsvType, StringComparison.OrdinalIgnoreCase);

    private static FileContentHttpResult Csv(Action<TextWriter> write, string fileName)
    {
        using var text = new StringWriter();
        write(text);
        return TypedResults.File(Encoding.UTF8.GetBytes(text.ToString()), CsvType + "; charset=utf-8", fileName);
    }
}
