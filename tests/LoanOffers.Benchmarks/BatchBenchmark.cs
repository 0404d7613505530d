using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using LoanOffers.Abstractions;
using LoanOffers.Storage.AzureTables;
using LoanOffers.Testing;
using Orleans.Hosting;

namespace LoanOffers.Benchmarks;

/// <summary>
/// The end-to-end weekly batch for N customers (ingest, filters, scoring, offers, persist, index) on Azurite,
/// beside the storage floor measured in the same run: bulk-writing and partition-reading N rows of about 1 KB over
/// the same tables as the customers'.
/// </summary>
public static class BatchBenchmark
{
    public static async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var customers = arguments.Int("customers", 200_000);
        var silos = arguments.Int("silos", 1);

        // Rounds of floor, one-silo batch and (with --silos) cluster batch, back to back: each round's ratios are
        // measured in one stretch of the machine's load, and the medians of several rounds steady them.
        var rounds = arguments.Int("rounds", 1);

        // Columns of the bank's own each customer carries beyond the core fields (connector extraFeatures).
        var extraFeatures = arguments.Int("extra-features", 0);

        // A one-silo batch of a smaller book at the start of each round, so how the time grows with the book is a ratio
        // measured in one run rather than across runs at different moments of the machine's load.
        var smallerBook = arguments.Int("smaller", 0);
        await using var azurite = await AzuriteEmulator.StartAsync();
        Console.WriteLine($"batch benchmark: {customers:N0} customers with {extraFeatures} extra feature(s), {silos} silo(s), {rounds} round(s), Azurite on port {azurite.Port}");

        var cpu = new CpuMeter(azurite);
        var measured = new List<RoundFigures>();
        for (var round = 1; round <= rounds; round++)
        {
            var smaller = smallerBook > 0 ? await RunBatchAsync(azurite, cpu, smallerBook, extraFeatures, extraSilos: 0) : null;
            var floor = await RawFloor.MeasureAsync(azurite.ConnectionString, "floor" + Guid.NewGuid().ToString("N")[..8], customers,
                StorageBenchmark.Tables, StorageBenchmark.PartitionsPerTable, BenchState.PayloadOfAbout(1024));
            var floorCpu = cpu.Lap();
            Console.WriteLine($"round {round}: storage floor: write {floor.WriteSeconds:F1} s + read {floor.ReadSeconds:F1} s = {floor.WriteSeconds + floor.ReadSeconds:F1} s (CPU: engine {floorCpu.Engine:F1} s, Azurite {floorCpu.Azurite:F1} s)");

            var one = await RunBatchAsync(azurite, cpu, customers, extraFeatures, extraSilos: 0);
            var many = one is not null && silos > 1 ? await RunBatchAsync(azurite, cpu, customers, extraFeatures, extraSilos: silos - 1) : null;
            if (one is null || silos > 1 && many is null || smallerBook > 0 && smaller is null)
            {
                return 1;
            }

            var figures = new RoundFigures(floor.WriteSeconds, floor.ReadSeconds, floorCpu.Engine, floorCpu.Azurite, one, many) { Smaller = smaller };
            measured.Add(figures);
            Console.WriteLine(figures.Describe(customers, extraFeatures, silos));
        }

        if (rounds > 1)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"medians of {rounds} rounds: floor_s={Median(measured, r => r.FloorSeconds):F2} batch_s={Median(measured, r => r.One.Seconds):F2} batch_to_floor={Median(measured, r => r.One.Seconds / r.FloorSeconds):F2} batch_engine_cpu_s={Median(measured, r => r.One.EngineCpu):F1} batch_azurite_cpu_s={Median(measured, r => r.One.AzuriteCpu):F1}")
                + (silos > 1
                    ? string.Create(CultureInfo.InvariantCulture,
                        $" silos_batch_s={Median(measured, r => r.Many!.Seconds):F2} silos_to_one={Median(measured, r => r.Many!.Seconds / r.One.Seconds):F2} silos_engine_cpu_s={Median(measured, r => r.Many!.EngineCpu):F1}")
                    : string.Empty)
                + (smallerBook > 0
                    ? string.Create(CultureInfo.InvariantCulture,
                        $" smaller_batch_s={Median(measured, r => r.Smaller!.Seconds):F2} batch_to_smaller={Median(measured, r => r.One.Seconds / r.Smaller!.Seconds):F2}")
                    : string.Empty));
        }

        return 0;
    }

    private static double Median(List<RoundFigures> rounds, Func<RoundFigures, double> figure)
    {
        var sorted = rounds.Select(figure).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>One round: the floor, the one-silo batch and, with more silos, the cluster's batch.</summary>
    private sealed record RoundFigures(double FloorWriteSeconds, double FloorReadSeconds, double FloorEngineCpu, double FloorAzuriteCpu, BatchFigures One, BatchFigures? Many)
    {
        /// <summary>With --smaller, the round's batch of the smaller book.</summary>
        public BatchFigures? Smaller { get; init; }

        public double FloorSeconds => FloorWriteSeconds + FloorReadSeconds;

        public string Describe(int customers, int extraFeatures, int silos) =>
            string.Create(CultureInfo.InvariantCulture,
                $"customers={customers} extra_features={extraFeatures} batch_s={One.Seconds:F2} customers_per_s={customers / One.Seconds:F0} floor_write_s={FloorWriteSeconds:F2} floor_read_s={FloorReadSeconds:F2} floor_s={FloorSeconds:F2} batch_to_floor={One.Seconds / FloorSeconds:F2} offered={One.Run.Offered} peak_mb={One.PeakMb:F0} state_row_bytes={One.RowBytes:F0} floor_engine_cpu_s={FloorEngineCpu:F1} floor_azurite_cpu_s={FloorAzuriteCpu:F1} batch_engine_cpu_s={One.EngineCpu:F1} batch_azurite_cpu_s={One.AzuriteCpu:F1} batch_gc_pause_s={One.GcPauseSeconds:F1}")
            + (Many is { } many
                ? string.Create(CultureInfo.InvariantCulture,
                    $" silos={silos} silos_batch_s={many.Seconds:F2} silos_batch_to_floor={many.Seconds / FloorSeconds:F2} silos_to_one={many.Seconds / One.Seconds:F2} silos_offered={many.Run.Offered} silos_peak_mb={many.PeakMb:F0} silos_engine_cpu_s={many.EngineCpu:F1} silos_azurite_cpu_s={many.AzuriteCpu:F1}")
                : string.Empty)
            + (Smaller is { } smaller
                ? string.Create(CultureInfo.InvariantCulture,
                    $" smaller_customers={smaller.Run.Processed} smaller_batch_s={smaller.Seconds:F2} smaller_peak_mb={smaller.PeakMb:F0} batch_to_smaller={One.Seconds / smaller.Seconds:F2}")
                : string.Empty);
    }

    /// <summary>
    /// One batch on a cluster of its own (fresh tables): the engine in this process, plus <paramref name="extraSilos"/>
    /// engine processes on the same machine. CPU and peak memory count every engine process.
    /// </summary>
    private static async Task<BatchFigures?> RunBatchAsync(AzuriteEmulator azurite, CpuMeter cpu, int customers, int extraFeatures, int extraSilos)
    {
        var cluster = EngineHost.NewCluster(azurite.ConnectionString);
        try
        {
            return await MeasureBatchAsync(azurite, cpu, cluster, customers, extraFeatures, extraSilos);
        }
        finally
        {
            // Azurite's cost per row grows with what it holds, so whatever is measured next starts on an emulator as
            // empty as this batch found it, as after the floor.
            await DeleteTablesAsync(azurite.ConnectionString, cluster.TablePrefix);
        }
    }

    private static async Task<BatchFigures?> MeasureBatchAsync(AzuriteEmulator azurite, CpuMeter cpu, EngineClusterSettings cluster, int customers, int extraFeatures, int extraSilos)
    {
        ResetPeakWorkingSet();
        await using var app = await EngineHost.StartAsync(cluster, AzuriteEmulator.FreeLoopbackPort());
        var others = await Task.WhenAll(Enumerable.Range(2, extraSilos).Select(index => EngineProcess.StartAsync($"silo-{index}", cluster, TimeSpan.FromMinutes(2))));
        try
        {
            var othersCpu = others.Sum(engine => engine.ProcessorTime.TotalSeconds);
            cpu.Lap();
            var pausedBefore = GC.GetTotalPauseDuration();
            var stopwatch = Stopwatch.StartNew();
            var startedAt = TimeProvider.System.GetUtcNow();
            var run = await EngineHost.RunDemoBatchAsync(app, customers, progress =>
                Console.WriteLine($"  {progress.Processed:N0}/{progress.Total:N0} offered {progress.Offered:N0} ({stopwatch.Elapsed.TotalSeconds:F0} s)"), extraFeatures: extraFeatures);

            // To the run's own end, not to the poll that saw it (the poll is once a second; polling often costs the engine).
            var seconds = ((run.CompletedAt ?? TimeProvider.System.GetUtcNow()) - startedAt).TotalSeconds;
            var lap = cpu.Lap();
            var paused = (GC.GetTotalPauseDuration() - pausedBefore).TotalSeconds;
            var engineCpu = lap.Engine + others.Sum(engine => engine.ProcessorTime.TotalSeconds) - othersCpu;
            if (run.State != RunState.Completed || run.Processed != customers)
            {
                Console.Error.WriteLine($"run {run.RunId} ended {run.State} with {run.Processed:N0}/{customers:N0}: {run.LastError}");
                return null;
            }

            var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0) + others.Sum(engine => engine.PeakWorkingSetMb);
            var rowBytes = await SampleStateRowBytesAsync(azurite.ConnectionString, cluster.TablePrefix);
            Console.WriteLine($"batch on {extraSilos + 1} silo(s): {seconds:F1} s, {customers / seconds:N0} customers/s, offered {run.Offered:N0}, errors {run.Errors}, peak {peakMb:N0} MB over the engine processes, customer rows {rowBytes:N0} bytes on average (CPU: engines {engineCpu:F1} s, Azurite {lap.Azurite:F1} s; this engine paused {paused:F1} s for its GC)");
            return new BatchFigures(run, seconds, peakMb, rowBytes, engineCpu, lap.Azurite, paused);
        }
        finally
        {
            foreach (var engine in others)
            {
                await engine.DisposeAsync();
            }

            // Stopped before it is disposed, so the silo leaves the cluster gracefully rather than by cancellation.
            await app.StopAsync();
        }
    }

    /// <summary>
    /// Starts this process's peak resident set afresh (Linux: 5 to /proc/self/clear_refs), so a batch's peak is its own
    /// and not that of a larger batch before it in the same run; the memory an earlier batch's host left is collected
    /// and returned to the system first. Elsewhere the peak stays the process's so far.
    /// </summary>
    private static void ResetPeakWorkingSet()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux())
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
    }

    private static async Task DeleteTablesAsync(string connection, string tablePrefix)
    {
        var service = new TableServiceClient(connection);
        var names = await service.QueryAsync().Select(table => table.Name).Where(name => name.StartsWith(tablePrefix, StringComparison.OrdinalIgnoreCase)).ToListAsync();
        foreach (var name in names)
        {
            await service.DeleteTableAsync(name);
        }
    }

    private sealed record BatchFigures(RunStatus Run, double Seconds, double PeakMb, double RowBytes, double EngineCpu, double AzuriteCpu, double GcPauseSeconds);

    /// <summary>The average serialized state of the customer rows in one table, to set beside the floor's 1 KB rows.</summary>
    private static async Task<double> SampleStateRowBytesAsync(string connection, string tablePrefix)
    {
        var table = new TableServiceClient(connection).GetTableClient(GrainStateLayout.TableNamesFor(tablePrefix + EngineStorageOptions.CustomerTableName, EngineStorageOptions.CustomerTableCount).First());
        var sizes = new List<int>();
        await foreach (var row in table.QueryAsync<TableEntity>(select: [StateRows.SizeProperty], maxPerPage: 1000))
        {
            sizes.Add(row.GetInt32(StateRows.SizeProperty) ?? 0);
        }

        return sizes.Count == 0 ? 0 : sizes.Average();
    }
}

/// <summary>CPU seconds the engine's process and Azurite used since the previous lap: on two cores they share, the sum is what a run costs.</summary>
internal sealed class CpuMeter(AzuriteEmulator azurite)
{
    private TimeSpan _engine = Process.GetCurrentProcess().TotalProcessorTime;
    private TimeSpan _azurite = azurite.ProcessorTime;

    public (double Engine, double Azurite) Lap()
    {
        var engine = Process.GetCurrentProcess().TotalProcessorTime;
        var emulator = azurite.ProcessorTime;
        var lap = ((engine - _engine).TotalSeconds, (emulator - _azurite).TotalSeconds);
        (_engine, _azurite) = (engine, emulator);
        return lap;
    }
}
