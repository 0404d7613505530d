using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using LoanOffers.Server.Apis;
using LoanOffers.Server.Security;
using LoanOffers.Testing;
using Xunit.Abstractions;

namespace LoanOffers.Server.Tests;

/// <summary>
/// Malformed, hostile and oversized input at every endpoint, against the engine in a process of its own (real Kestrel,
/// so body limits and request-line checks apply as in production): each answers a 4xx, as ProblemDetails whenever it
/// has a body, none a 5xx, and the server's memory stays where it was.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BadInputCorpusTests(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly EngineClusterSettings _cluster = DemoRuns.NewCluster(azurite, "corpus");
    private EngineProcess? _engine;

    /// <summary>Budgets wide enough that every request of the corpus reaches its endpoint instead of the rate limiter.</summary>
    public async Task InitializeAsync() => _engine = await EngineProcess.StartAsync("corpus", _cluster, TimeSpan.FromMinutes(2),
        ("RateLimits:AdminWrites:PerSubject:PermitsPerSecond", "100000"), ("RateLimits:AdminWrites:PerSubject:Burst", "100000"),
        ("RateLimits:AdminWrites:PerAddress:PermitsPerSecond", "100000"), ("RateLimits:AdminWrites:PerAddress:Burst", "100000"));

    public async Task DisposeAsync()
    {
        await _engine!.DisposeAsync();
        _cluster.DeleteDirectories();
    }

    private sealed record Endpoint(string Method, string Path, string Role, bool TakesBody, bool TakesQuery);

    private static readonly Endpoint[] Endpoints =
    [
        new("GET", "/api/v1/customers/{id}/offers", EngineRoles.OffersService, false, false),
        new("GET", "/api/v1/customers/{id}/banners", EngineRoles.OffersService, false, true),
        new("POST", "/api/v1/offers", EngineRoles.OffersService, true, false),
        new("POST", "/api/v1/customers/{id}/events", EngineRoles.OffersService, true, false),
        new("POST", "/api/v1/customers/{id}/offers/{id}/accept", EngineRoles.OffersService, true, false),
        new("PUT", "/api/v1/admin/programs/{id}", EngineRoles.LendingAdmin, true, false),
        new("GET", "/api/v1/admin/programs/{id}", EngineRoles.LendingAdmin, false, false),
        new("POST", "/api/v1/admin/programs/{id}/runs", EngineRoles.LendingAdmin, false, false),
        new("GET", "/api/v1/admin/programs/{id}/runs", EngineRoles.LendingAdmin, false, false),
        new("GET", "/api/v1/admin/programs/{id}/runs/{id}", EngineRoles.LendingAdmin, false, false),
        new("GET", "/api/v1/admin/programs/{id}/candidates", EngineRoles.LendingAdmin, false, true),
        new("POST", "/api/v1/admin/models/{id}/retrain", EngineRoles.ModelOps, true, false),
        new("POST", "/api/v1/admin/models/{id}/rollback", EngineRoles.ModelOps, false, false),
        new("POST", "/api/v1/admin/events:batch", EngineRoles.LendingAdmin, true, false),
        new("GET", "/api/v1/applications/{id}", EngineRoles.LendingAdmin, false, false),
        new("GET", "/api/v1/admin/programs/{id}/runs/{id}/campaign", EngineRoles.LendingAdmin, false, false),
        new("POST", "/api/v1/admin/programs/{id}/runs/{id}/campaign", EngineRoles.LendingAdmin, true, false),
        new("POST", "/api/v1/admin/programs/{id}/runs/{id}/campaign:pause", EngineRoles.LendingAdmin, false, false),
        new("POST", "/api/v1/admin/programs/{id}/runs/{id}/campaign:resume", EngineRoles.LendingAdmin, false, false),
        new("POST", "/api/v1/applications/{id}/outcome", EngineRoles.LendingAdmin, true, false),
        new("GET", "/api/v1/admin/customers/{id}/decisions", EngineRoles.RiskAnalyst, false, false),
        new("GET", "/api/v1/admin/customers/{id}/records", EngineRoles.RiskAnalyst, false, false),
        new("GET", "/api/v1/admin/programs/{id}/runs/{id}/funnel", EngineRoles.LendingAdmin, false, false),
        new("GET", "/api/v1/admin/programs/{id}/versions", EngineRoles.RiskAnalyst, false, false),
        new("GET", "/api/v1/admin/programs/{id}/versions/1/diff", EngineRoles.RiskAnalyst, false, true),
        new("GET", "/api/v1/admin/suppressions/{id}", EngineRoles.RiskAnalyst, false, true),
        new("POST", "/api/v1/admin/suppressions", EngineRoles.LendingAdmin, true, false),
        new("POST", "/api/v1/admin/suppressions:remove", EngineRoles.LendingAdmin, true, false),
        new("GET", "/t/{id}/open.gif", EngineRoles.Customer, false, false),
        new("GET", "/t/{id}/click", EngineRoles.Customer, false, false),
        new("POST", "/t/{id}/unsubscribe", EngineRoles.Customer, true, false),
        new("POST", "/t/{id}/prescreen-opt-out", EngineRoles.Customer, true, false),
    ];

    private static readonly string[] BadIds =
    [
        "bad%20id", "..%2F..%2Fetc", "%00", new string('a', 65), "%E2%80%AEevil", "%FF%FE", "a%0D%0AX-Injected:1", "'%20OR%201=1", "%2E%2E",
    ];

    private static readonly string[] BadQueries =
    [
        "tier=excellent&minScore=abc", "tier=excellent&minScore=NaN", "tier=excellent&minScore=1e400", "tier=excellent&minScore=-0.5",
        "tier=excellent&limit=1e9", "tier=excellent&limit=-1", "tier=excellent&limit=99999999999", "tier=excellent&limit=0",
        "minAmount=1e40", "minAmount=-5", "minAmount=10&maxAmount=5", "maxAmount=abc", "tier=excellent&continuation=" + new string('x', 5000),
        "tier=excellent&continuation=not%2Ba%2Btoken%21", "tier=excellent&continuation=%2F%2F8", "", "tier=excellent&minScore=0.5&minScore=0.6",
    ];

    /// <summary>Nine levels of nine aliases: 901 bytes that expand to 9^9 values if a parser follows them.</summary>
    private static string YamlBomb()
    {
        var yaml = new StringBuilder("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var level = 1; level <= 8; level++)
        {
            yaml.Append($"a{level}: &a{level} [{string.Join(",", Enumerable.Repeat($"*a{level - 1}", 9))}]\n");
        }

        return yaml.ToString();
    }

    private static IEnumerable<(string Name, string? ContentType, byte[] Body)> BadBodies()
    {
        static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
        yield return ("malformed json", "application/json", Utf8("{ not json"));
        yield return ("empty body", "application/json", []);
        yield return ("json null", "application/json", Utf8("null"));
        yield return ("json array", "application/json", Utf8("[1,2,3]"));
        yield return ("json string", "application/json", Utf8("\"text\""));
        yield return ("wrong types", "application/json", Utf8("""{"userId":42,"requestedAmount":"lots","requestedTenure":true,"outcomesPath":[]}"""));
        yield return ("decimal overflow", "application/json", Utf8("""{"userId":"C1","requestedAmount":1e40,"requestedTenure":36}"""));
        yield return ("int overflow", "application/json", Utf8("""{"userId":"C1","requestedTenure":99999999999999}"""));
        yield return ("deep json", "application/json", Utf8("{\"userId\":" + new string('[', 5000) + new string(']', 5000) + "}"));
        yield return ("deep object", "application/json", Utf8(string.Concat(Enumerable.Repeat("{\"a\":", 2000)) + "1" + new string('}', 2000)));
        yield return ("huge json", "application/json", Utf8("{\"userId\":\"" + new string('a', 2 * 1024 * 1024) + "\"}"));
        yield return ("unknown charset", "application/json; charset=klingon", Utf8("{}"));
        yield return ("empty charset", "application/json; charset=", Utf8("{}"));
        yield return ("utf-16 charset", "application/json; charset=utf-16", Encoding.Unicode.GetBytes("{}"));
        yield return ("unparsable content type", ";;==", Utf8("{}"));
        yield return ("text/plain", "text/plain", Utf8("{}"));
        yield return ("no content type", null, Utf8("{}"));
        yield return ("invalid utf-8", "application/json", [0x7B, 0x22, 0xC3, 0x28, 0xFF, 0xFE, 0x22, 0x7D]);
        yield return ("binary", "application/octet-stream", Enumerable.Range(0, 4096).Select(i => (byte)(i * 31)).ToArray());
        yield return ("yaml bomb", "application/yaml", Utf8(YamlBomb()));
        yield return ("deep yaml", "application/yaml", Utf8("a: " + new string('[', 3000) + new string(']', 3000)));
        yield return ("yaml tags", "application/yaml", Utf8("programId: !!binary aGVsbG8=\n"));
        yield return ("two yaml documents", "application/yaml", Utf8("a: 1\n---\nb: 2\n"));
        yield return ("broken yaml", "application/yaml", Utf8("a: [1, 2\nb: {"));
        yield return ("huge yaml", "application/yaml", Utf8("a: " + new string('a', 400 * 1024)));
        yield return ("many yaml values", "application/yaml", Utf8(string.Concat(Enumerable.Range(0, 20_000).Select(i => $"k{i}: {i}\n"))));
    }

    private static IEnumerable<(string Name, HttpRequestMessage Request, string Role)> Corpus()
    {
        foreach (var endpoint in Endpoints)
        {
            foreach (var id in BadIds)
            {
                yield return ($"{endpoint.Method} {endpoint.Path} id {id}", new HttpRequestMessage(new HttpMethod(endpoint.Method), endpoint.Path.Replace("{id}", id, StringComparison.Ordinal))
                {
                    Content = endpoint.TakesBody ? new StringContent("{}", Encoding.UTF8, "application/json") : null,
                }, endpoint.Role);
            }

            var path = endpoint.Path.Replace("{id}", "corpus-" + endpoint.Method.ToLowerInvariant(), StringComparison.Ordinal);
            if (endpoint.TakesQuery)
            {
                foreach (var query in BadQueries)
                {
                    yield return ($"{endpoint.Method} {path}?{query}", new HttpRequestMessage(new HttpMethod(endpoint.Method), $"{path}?{query}"), endpoint.Role);
                }
            }

            if (endpoint.TakesBody)
            {
                foreach (var (name, contentType, body) in BadBodies())
                {
                    var content = new ByteArrayContent(body);
                    content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed : null;
                    if (contentType is not null && content.Headers.ContentType is null)
                    {
                        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                    }

                    yield return ($"{endpoint.Method} {path} {name}", new HttpRequestMessage(new HttpMethod(endpoint.Method), path) { Content = content }, endpoint.Role);
                }
            }
        }
    }

    [Fact]
    public async Task Every_bad_request_at_every_endpoint_answers_a_4xx_problem_and_memory_stays_flat()
    {
        using var client = new HttpClient { BaseAddress = new Uri(_engine!.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        var tokens = Endpoints.Select(endpoint => endpoint.Role).Distinct().ToDictionary(role => role, role => _cluster.Token(role));
        var failures = new List<string>();
        var answered = new Dictionary<int, int>();

        async Task RoundAsync()
        {
            foreach (var (name, request, role) in Corpus())
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[role]);
                var bodyBytes = request.Content?.Headers.ContentLength ?? 0;

                // A connection the engine closes after refusing an unread body is never reused for the next request.
                request.Headers.ConnectionClose = true;
                HttpResponseMessage response;
                try
                {
                    response = await client.SendAsync(request);
                }
                catch (HttpRequestException failure) when (bodyBytes > ApiLimits.MaxProgramBytes && failure.InnerException is IOException)
                {
                    // The engine answered from Content-Length without reading an oversized body and closed the
                    // connection while the client was still sending it: refused, and cheaply.
                    answered[0] = answered.GetValueOrDefault(0) + 1;
                    continue;
                }
                catch (HttpRequestException failure)
                {
                    failures.Add($"{name}: no answer ({failure.InnerException?.Message ?? failure.Message})");
                    continue;
                }

                using var answer = response;
                var status = (int)response.StatusCode;
                answered[status] = answered.GetValueOrDefault(status) + 1;
                var mediaType = response.Content.Headers.ContentType?.MediaType;
                var body = await response.Content.ReadAsByteArrayAsync();

                // Kestrel itself refuses a request line it cannot parse (a NUL or CR in the path) with an empty 400.
                if (status is < 400 or >= 500 || (body.Length > 0 && mediaType != "application/problem+json"))
                {
                    failures.Add($"{name}: {status} {mediaType}");
                }

                request.Dispose();
            }
        }

        await RoundAsync();
        var before = WorkingSetMegabytes();
        for (var round = 0; round < 3; round++)
        {
            await RoundAsync();
        }

        var after = WorkingSetMegabytes();
        var total = answered.Values.Sum();
        output.WriteLine($"{total} bad requests over 4 rounds: {string.Join(", ", answered.OrderBy(pair => pair.Key).Select(pair => pair.Key == 0 ? $"refused unread x{pair.Value}" : $"{pair.Key} x{pair.Value}"))}; engine working set {before:F0} MB before the last 3 rounds, {after:F0} MB after");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Distinct().Take(40)));
        Assert.True(after < before * 1.25 + 32, $"The engine grew from {before:F0} MB to {after:F0} MB over three rounds of bad input.");
    }

    private double WorkingSetMegabytes()
    {
        using var process = Process.GetProcessById(_engine!.ProcessId);
        return process.WorkingSet64 / (1024.0 * 1024.0);
    }
}
