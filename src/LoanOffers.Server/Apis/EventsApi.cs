using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using CsvHelper;
using LoanOffers.Abstractions;
using LoanOffers.Grains;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>One line of a bulk event file that could not be applied: where, which field, and why (never its values).</summary>
public sealed record BadEventLine(int Line, string Field, string Message);

/// <summary>What a bulk event file did.</summary>
public sealed record EventBatchResult(int Lines, int Applied, int Duplicates, int UnknownCustomers, int OffersWithdrawn, IReadOnlyList<BadEventLine> BadLines);

/// <summary>The warehouse's daily changes in one request, as JSON lines or CSV; each line is one customer event.</summary>
public static class EventsApi
{
    /// <summary>A day's changes of a large book fit; a larger file is sent in parts.</summary>
    public const long MaxBatchBytes = 16 * 1024 * 1024;

    private const int ConcurrentCustomers = 16;
    private const int ReportedBadLines = 1000;

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/v1/admin").WithTags("Events").RequireAuthorization(EnginePolicies.ProgramsWrite)
            .RequireRateLimiting(EngineRateLimits.AdminWrites);
        events.MapPost("/events:batch", PostBatchAsync).WithName("PostEventBatch").WithBodyLimit(MaxBatchBytes);
        return app;
    }

    /// <summary>
    /// JSON lines (<c>application/x-ndjson</c>: one <c>{ "customerId", "eventId", "kind", ... }</c> per line) or CSV
    /// (<c>text/csv</c>: <c>customer_id, event_id, kind, channel, annual_income, score, state</c>). A bad line is reported
    /// by its number and field, and the rest still go in; an event id seen before is not applied again.
    /// </summary>
    public static async Task<Results<Ok<EventBatchResult>, ProblemHttpResult>> PostBatchAsync(
        HttpRequest request, CustomerGrains customers, AuditTrail audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not ("application/x-ndjson" or "application/jsonl" or "text/csv"))
        {
            return TypedResults.Problem(
                "Send the events as application/x-ndjson (JSON lines) or text/csv.", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
        }

        using var reader = new StreamReader(request.Body);
        var badLines = new List<BadEventLine>();
        var events = new List<(int Line, string CustomerId, CustomerEvent Event)>();
        var now = time.GetUtcNow();
        // The CSV reader reads synchronously, which the server does not allow on a request body: it reads a copy.
        var lines = mediaType == "text/csv"
            ? ReadCsv(new StringReader(await reader.ReadToEndAsync(cancellationToken)))
            : await ReadJsonLinesAsync(reader, cancellationToken);
        foreach (var (line, customerId, parsed, error) in lines)
        {
            if (error is not null)
            {
                badLines.Add(error);
                continue;
            }

            var problems = CustomersApi.ValidateEvent(parsed!);
            if (!ApiValidation.IsValidId(customerId))
            {
                problems["customerId"] = [$"customerId is required: {ApiValidation.IdRule}."];
            }

            if (problems.Count > 0)
            {
                badLines.AddRange(problems.Select(problem => new BadEventLine(line, problem.Key, problem.Value[0])));
                continue;
            }

            events.Add((line, customerId!, new CustomerEvent(parsed!.EventId!, parsed.Kind!, now, parsed.Channel, parsed.AnnualIncome, parsed.Score, parsed.State, parsed.OfferId)));
        }

        // One customer's events in file order; different customers at once, a bounded number at a time.
        var results = new ConcurrentBag<(int Line, CustomerEventResult Result)>();
        await Parallel.ForEachAsync(
            events.GroupBy(item => item.CustomerId),
            new ParallelOptions { MaxDegreeOfParallelism = ConcurrentCustomers, CancellationToken = cancellationToken },
            async (customer, _) =>
            {
                foreach (var (line, customerId, customerEvent) in customer)
                {
                    results.Add((line, await customers.Get(customerId).ApplyEvent(customerEvent)));
                }
            });

        var lineCount = events.Count + badLines.Count;
        var unknown = results.Where(item => !item.Result.Known).ToList();
        badLines.AddRange(unknown.Select(item => new BadEventLine(item.Line, "customerId", "The customer is unknown to the engine.")));
        var summary = new EventBatchResult(
            lineCount,
            results.Count(item => item.Result.Applied),
            results.Count(item => item.Result.Known && !item.Result.Applied),
            unknown.Count,
            results.Sum(item => item.Result.Withdrawn.Sum(withdrawal => withdrawal.OfferIds.Count)),
            [.. badLines.OrderBy(bad => bad.Line).Take(ReportedBadLines)]);
        await audit.AppendAsync(new AuditRecord(
            AuditActors.Of(request.HttpContext), AuditActions.CustomerEventBatch, "events:batch", null,
            JsonSerializer.Serialize(summary with { BadLines = [] }, ApiJson.Options), []), CancellationToken.None);
        return TypedResults.Ok(summary);
    }

    private static async Task<List<(int Line, string? CustomerId, CustomerEventRequest? Request, BadEventLine? Error)>> ReadJsonLinesAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var lines = new List<(int, string?, CustomerEventRequest?, BadEventLine?)>();
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            try
            {
                var row = JsonSerializer.Deserialize<BatchEventLine>(text, ApiJson.Options);
                lines.Add(row is null
                    ? (number, null, null, new BadEventLine(number, "$", "The line is not a JSON object."))
                    : (number, row.CustomerId, new CustomerEventRequest(row.EventId, row.Kind, row.Channel, row.AnnualIncome, row.Score, row.State), null));
            }
            catch (JsonException failure)
            {
                var field = failure.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "$";
                lines.Add((number, null, null, new BadEventLine(number, field, field == "$" ? "The line is not a JSON object." : $"{field} has the wrong type or is out of range.")));
            }
        }

        return lines;
    }

    private static IEnumerable<(int Line, string? CustomerId, CustomerEventRequest? Request, BadEventLine? Error)> ReadCsv(TextReader reader)
    {
        var malformed = new List<BadEventLine>();
        var options = new CsvReaderOptions
        {
            Separator = ',',
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Skip,
            OnMalformedRecord = record => malformed.Add(new BadEventLine((int)record.LineNumber, "$", $"malformed CSV: {record.Reason}")),
        };
        using var csv = CsvReader.Create(reader, options, leaveOpen: true);
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var index = 0; index < csv.Headers.Count; index++)
        {
            columns.TryAdd(csv.Headers[index].Trim(), index);
        }

        string? Field(string column) => columns.TryGetValue(column, out var index) && index < csv.FieldCount && csv.GetString(index).Trim() is { Length: > 0 } value ? value : null;

        while (csv.Read())
        {
            var line = (int)csv.LineNumber;
            decimal? income = null;
            if (Field("annual_income") is { } incomeText)
            {
                if (!decimal.TryParse(incomeText, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsedIncome))
                {
                    yield return (line, null, null, new BadEventLine(line, "annual_income", $"annual_income (column {columns["annual_income"] + 1}) is not a number."));
                    continue;
                }

                income = parsedIncome;
            }

            int? score = null;
            if (Field("score") is { } scoreText)
            {
                if (!int.TryParse(scoreText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsedScore))
                {
                    yield return (line, null, null, new BadEventLine(line, "score", $"score (column {columns["score"] + 1}) is not a whole number."));
                    continue;
                }

                score = parsedScore;
            }

            yield return (line, Field("customer_id"), new CustomerEventRequest(Field("event_id"), Field("kind"), Field("channel"), income, score, Field("state")), null);
        }

        foreach (var bad in malformed)
        {
            yield return (bad.Line, null, null, bad);
        }
    }

    private sealed record BatchEventLine(string? CustomerId, string? EventId, string? Kind, string? Channel, decimal? AnnualIncome, int? Score, string? State);
}
