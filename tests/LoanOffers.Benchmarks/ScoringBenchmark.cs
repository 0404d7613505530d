using System.Diagnostics;
using System.Globalization;
using LoanOffers.Domain;
using LoanOffers.Scoring;
using LoanOffers.Scoring.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LoanOffers.Benchmarks;

/// <summary>
/// <c>scoring [--models dir] [--requests N] [--concurrency C] [--seconds S]</c>: the shipped ONNX models scored
/// directly in batches of 1, 100 and 1000 rows (the floor), then the batching scoring service under C concurrent
/// callers (as customer grains call it) for N customers, with its throughput as a ratio of the 1000-row floor.
/// Ends with one line of <c>key=value</c> figures.
/// </summary>
public static class ScoringBenchmark
{
    private static readonly int[] BatchSizes = [1, 100, 1000];

    public static async Task<int> RunAsync(BenchmarkArguments a)
    {
        var modelDirectory = a.String("models") ?? FindShippedModels();
        var requests = a.Int("requests", 200_000);
        var concurrency = a.Int("concurrency", 1_000);
        var secondsPerCase = a.Int("seconds", 2);
        var program = ProgramConfigParser.ParseYaml(DemoPrograms.LoanOfferTargetingYaml).Config!;
        var profiles = SyntheticCustomers.Generate(Math.Max(requests, 1_000), seed: 42).ToArray();
        var figures = new List<(string Key, double Value)>();

        using var registry = new OnnxCreditModelRegistry(new ModelStore(modelDirectory), NullLogger.Instance, Timeout.InfiniteTimeSpan, TimeSpan.FromMinutes(1));
        Console.WriteLine($"models from {modelDirectory}: {string.Join(", ", registry.ActiveModels.Select(c => $"{c.ModelId} v{c.Version}"))}");
        Console.WriteLine($"{Environment.ProcessorCount} cores; each case runs {secondsPerCase} s after a warm-up");

        double floorRowsPerSecond = 0;
        foreach (var (name, config) in new[] { ("approval", program.ScoringModels[0]), ("default", program.ScoringModels[1]) })
        {
            var model = registry.Get(config.ModelId);
            var width = model.Features.Count;
            var features = new float[1000 * width];
            for (var row = 0; row < 1000; row++)
            {
                ModelFeatures.Extract(profiles[row], model.Features, features.AsSpan(row * width, width));
            }

            var probabilities = new float[1000];
            foreach (var rows in BatchSizes)
            {
                var perBatch = TimeBatches(model, features, rows, probabilities, TimeSpan.FromSeconds(secondsPerCase));
                var rowsPerSecond = rows / perBatch.Mean.TotalSeconds;
                Console.WriteLine(FormattableString.Invariant(
                    $"{model.ModelId,-18} {rows,5}-row batch: mean {perBatch.Mean.TotalMilliseconds,8:F4} ms, p50 {perBatch.Median.TotalMilliseconds,8:F4} ms, {rowsPerSecond,12:N0} rows/s ({perBatch.Count:N0} batches)"));
                figures.Add(($"score_{rows}_ms_{name}", perBatch.Mean.TotalMilliseconds));
                figures.Add(($"score_{rows}_p50_ms_{name}", perBatch.Median.TotalMilliseconds));
                figures.Add(($"rows_per_s_{rows}_{name}", rowsPerSecond));
            }

            // The service scores every customer with both models, so its floor is both 1000-row batches back to back.
            floorRowsPerSecond += 1 / figures.Single(f => f.Key == $"rows_per_s_1000_{name}").Value;
        }

        floorRowsPerSecond = 1 / floorRowsPerSecond;
        await using var service = new BatchingCreditScoringService(registry, new InMemoryFeatureSchemas(), Options.Create(new ScoringOptions()));
        await RunServiceAsync(service, program, profiles[..Math.Min(profiles.Length, 20_000)], concurrency);
        var (serviceSeconds, latencies) = await RunServiceAsync(service, program, profiles[..requests], concurrency);
        var serviceRowsPerSecond = requests / serviceSeconds;
        Array.Sort(latencies);
        var p50 = latencies[latencies.Length / 2];
        var p99 = latencies[(int)(latencies.Length * 0.99)];
        Console.WriteLine(FormattableString.Invariant(
            $"service: {requests:N0} customers (both models) from {concurrency:N0} concurrent callers in {serviceSeconds:F2} s = {serviceRowsPerSecond:N0} customers/s; latency p50 {p50:F2} ms, p99 {p99:F2} ms"));
        Console.WriteLine(FormattableString.Invariant(
            $"floor (direct 1000-row batches, both models): {floorRowsPerSecond:N0} customers/s; service/floor = {serviceRowsPerSecond / floorRowsPerSecond:F2}"));
        figures.Add(("service_customers_per_s", serviceRowsPerSecond));
        figures.Add(("service_p50_ms", p50));
        figures.Add(("service_p99_ms", p99));
        figures.Add(("floor_customers_per_s", floorRowsPerSecond));
        figures.Add(("service_floor_ratio", serviceRowsPerSecond / floorRowsPerSecond));

        Console.WriteLine(string.Join(' ', figures.Select(f => $"{f.Key}={Format(f.Value)}")));
        return 0;
    }

    private static (TimeSpan Mean, TimeSpan Median, int Count) TimeBatches(ICreditModel model, float[] features, int rows, float[] probabilities, TimeSpan duration)
    {
        var input = features.AsSpan(0, rows * model.Features.Count);
        for (var i = 0; i < 50; i++)
        {
            model.Score(input, rows, probabilities);
        }

        var times = new List<long>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed < duration)
        {
            var start = Stopwatch.GetTimestamp();
            model.Score(input, rows, probabilities);
            times.Add(Stopwatch.GetTimestamp() - start);
        }

        times.Sort();
        return (TimeSpan.FromTicks((long)(times.Average() * TimeSpan.TicksPerSecond / Stopwatch.Frequency)),
            Stopwatch.GetElapsedTime(0, times[times.Count / 2]), times.Count);
    }

    /// <summary><paramref name="concurrency"/> callers each score their share of customers one at a time, as grains do.</summary>
    private static async Task<(double Seconds, double[] LatenciesMs)> RunServiceAsync(ICreditScoringService service, ProgramConfig program, CustomerProfile[] profiles, int concurrency)
    {
        var latencies = new double[profiles.Length];
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < profiles.Length; i = Interlocked.Increment(ref next))
            {
                var start = Stopwatch.GetTimestamp();
                await service.ScoreAsync(profiles[i], program);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })));
        return (total.Elapsed.TotalSeconds, latencies);
    }

    private static string Format(double value) =>
        value >= 100 ? value.ToString("F0", CultureInfo.InvariantCulture) : value.ToString("G4", CultureInfo.InvariantCulture);

    private static string FindShippedModels()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Orleans.sln")))
            {
                return Path.Combine(directory.FullName, "models");
            }
        }

        throw new DirectoryNotFoundException($"No Orleans.sln above {AppContext.BaseDirectory}; pass --models <dir>.");
    }
}
