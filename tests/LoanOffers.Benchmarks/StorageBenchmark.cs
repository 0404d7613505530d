using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;

namespace LoanOffers.Benchmarks;

/// <summary>
/// Writes then reads N grain states of about 1 KB through the Azure table grain storage in a real silo (straight
/// through <see cref="IGrainStorage"/>, then again by calling a grain per row so Orleans activates each one), and in
/// the same run the same rows straight through Azure.Data.Tables in bulk transactions over the same number of tables
/// (the storage floor), then prints each with its ratio to the floor.
/// </summary>
public static class StorageBenchmark
{
    public const int Tables = EngineStorageOptions.CustomerTableCount;
    public const int PartitionsPerTable = EngineStorageOptions.CustomerPartitionsPerTable;
    private const string StoreName = BenchStateGrain.StoreName;

    /// <summary>Grain calls in flight when Orleans' provider is measured, as a batch keeps a partition's customers busy.</summary>
    private const int OfficialCallsInFlight = 200;

    public static async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var rows = arguments.Int("rows", 200_000);
        await using var azurite = arguments.String("connection") is null ? await AzuriteEmulator.StartAsync() : null;
        var connection = arguments.String("connection") ?? azurite!.ConnectionString;
        var payload = BenchState.PayloadOfAbout(1024);
        Console.WriteLine($"storage benchmark: {rows:N0} rows of ~{payload.Length:N0} bytes, {Tables} tables x {PartitionsPerTable} partitions, Azurite {(azurite is null ? "given" : "on port " + azurite.Port)}");

        // Orleans' provider goes first, on an Azurite not yet holding the other phases' rows. It makes one request per
        // row into one table, and Azurite's cost per request grows with the table, so it is measured on a sample (the
        // ratio is per row, and favours it: a larger sample only makes each of its rows dearer).
        var officialRows = Math.Min(rows, arguments.Int("official-rows", 10_000));
        var official = await MeasureOfficialAsync(connection, "orl" + RunId(), officialRows, payload);
        Console.WriteLine($"Orleans:   write {official.WriteSeconds:F1} s ({officialRows / official.WriteSeconds:N0} rows/s), read {official.ReadSeconds:F1} s ({officialRows / official.ReadSeconds:N0} rows/s) by grain calls over Orleans' Azure table provider, {officialRows:N0} rows");

        var raw = await RawFloor.MeasureAsync(connection, "raw" + RunId(), rows, Tables, PartitionsPerTable, payload);
        Console.WriteLine($"raw bulk:  write {raw.WriteSeconds:F1} s ({rows / raw.WriteSeconds:N0} rows/s), read {raw.ReadSeconds:F1} s ({rows / raw.ReadSeconds:N0} rows/s)");

        var direct = await MeasureProviderAsync(connection, "dir" + RunId(), rows, payload, throughGrains: false);
        Console.WriteLine($"provider:  write {direct.WriteSeconds:F1} s ({rows / direct.WriteSeconds:N0} rows/s), read {direct.ReadSeconds:F1} s ({rows / direct.ReadSeconds:N0} rows/s) through IGrainStorage in the silo");

        var grains = await MeasureProviderAsync(connection, "grain" + RunId(), rows, payload, throughGrains: true);
        Console.WriteLine($"grains:    write {grains.WriteSeconds:F1} s ({rows / grains.WriteSeconds:N0} rows/s), read {grains.ReadSeconds:F1} s ({rows / grains.ReadSeconds:N0} rows/s) by grain calls and activations over the provider");

        var writeRatio = grains.WriteSeconds / rows / (official.WriteSeconds / officialRows);
        var readRatio = grains.ReadSeconds / rows / (official.ReadSeconds / officialRows);
        Console.WriteLine($"project store through grains per row vs Orleans' provider: write {writeRatio:F2}x, read {readRatio:F2}x the time");

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rows={rows} provider_write_s={direct.WriteSeconds:F2} raw_write_s={raw.WriteSeconds:F2} write_ratio={direct.WriteSeconds / raw.WriteSeconds:F2} provider_read_s={direct.ReadSeconds:F2} raw_read_s={raw.ReadSeconds:F2} read_ratio={direct.ReadSeconds / raw.ReadSeconds:F2} grain_write_s={grains.WriteSeconds:F2} grain_write_ratio={grains.WriteSeconds / raw.WriteSeconds:F2} grain_read_s={grains.ReadSeconds:F2} grain_read_ratio={grains.ReadSeconds / raw.ReadSeconds:F2} official_rows={officialRows} official_write_s={official.WriteSeconds:F2} official_read_s={official.ReadSeconds:F2} store_to_official_write={writeRatio:F2} store_to_official_read={readRatio:F2}"));
        return 0;
    }

    private static string RunId() => Guid.NewGuid().ToString("N")[..8];

    /// <summary>
    /// Writes then reads every row through the provider, each phase on a fresh silo so reads find nothing cached:
    /// straight through <see cref="IGrainStorage"/>, or by calling a grain per row (Orleans' activation included).
    /// </summary>
    private static async Task<(double WriteSeconds, double ReadSeconds)> MeasureProviderAsync(string connection, string tableName, int rows, string payload, bool throughGrains)
    {
        var keys = Enumerable.Range(0, rows).Select(i => "C" + i.ToString("D7", CultureInfo.InvariantCulture)).ToArray();
        double write;
        await using (var silo = await BenchSilo.StartAsync(connection, tableName))
        {
            write = throughGrains
                ? await silo.ForEachBucketAsync(keys, (grain, _) => grain.Write(payload))
                : await silo.WriteThroughStorageAsync(keys, payload);
        }

        double read;
        await using (var silo = await BenchSilo.StartAsync(connection, tableName))
        {
            if (throughGrains)
            {
                var total = 0L;
                read = await silo.ForEachBucketAsync(keys, async (grain, _) => Interlocked.Add(ref total, await grain.Read()));
                if (total != (long)rows * payload.Length)
                {
                    throw new InvalidOperationException($"Read back {total:N0} payload characters, expected {(long)rows * payload.Length:N0}.");
                }
            }
            else
            {
                read = await silo.ReadThroughStorageAsync(keys, payload.Length);
            }
        }

        return (write, read);
    }

    /// <summary>
    /// Writes then reads the rows through grains on Orleans' own Azure table provider, each phase on a fresh silo,
    /// <see cref="OfficialCallsInFlight"/> calls at a time: one request per row, as that provider makes them.
    /// </summary>
    private static async Task<(double WriteSeconds, double ReadSeconds)> MeasureOfficialAsync(string connection, string tableName, int rows, string payload)
    {
        var keys = Enumerable.Range(0, rows).Select(i => "C" + i.ToString("D7", CultureInfo.InvariantCulture)).ToArray();
        var calls = new ParallelOptions { MaxDegreeOfParallelism = OfficialCallsInFlight };
        double write;
        await using (var silo = await BenchSilo.StartAsync(connection, tableName))
        {
            var stopwatch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(keys, calls, async (key, _) => await silo.Official(key).Write(payload));
            write = stopwatch.Elapsed.TotalSeconds;
        }

        await using (var silo = await BenchSilo.StartAsync(connection, tableName))
        {
            var total = 0L;
            var stopwatch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(keys, calls, async (key, _) => Interlocked.Add(ref total, await silo.Official(key).Read()));
            if (total != (long)rows * payload.Length)
            {
                throw new InvalidOperationException($"Read back {total:N0} payload characters through Orleans' provider, expected {(long)rows * payload.Length:N0}.");
            }

            return (write, stopwatch.Elapsed.TotalSeconds);
        }
    }

    private sealed class BenchSilo : IAsyncDisposable
    {
        private readonly IHost _host;

        private BenchSilo(IHost host) => _host = host;

        public static async Task<BenchSilo> StartAsync(string connection, string tableName)
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.UseOrleans(silo => silo
                .UseLocalhostClustering(siloPort: AzuriteEmulator.FreeLoopbackPort(), gatewayPort: AzuriteEmulator.FreeLoopbackPort())
                .UseProcessRelativeMembershipClock()
                .AddPartitionedTableGrainStorage(StoreName, options =>
                {
                    options.ConnectionString = connection;
                    options.TableName = tableName;
                    options.TableCount = Tables;
                    options.PartitionsPerTable = PartitionsPerTable;
                })
                .AddAzureTableGrainStorage(OfficialBenchStateGrain.StoreName, options =>
                {
                    options.TableServiceClient = new TableServiceClient(connection);
                    options.TableName = tableName;
                    options.GrainStorageSerializer = GrainStateSerializers.Json;
                }));
            var host = builder.Build();
            await host.StartAsync();
            return new BenchSilo(host);
        }

        /// <summary>The grain over Orleans' own provider with this key.</summary>
        public IBenchStateGrain Official(string key) =>
            _host.Services.GetRequiredService<IGrainFactory>().GetGrain(GrainId.Create(OfficialBenchStateGrain.GrainTypeName, key)).AsReference<IBenchStateGrain>();

        private IGrainStateReadAhead ReadAhead => _host.Services.GetGrainStateReadAhead(StoreName);

        private IGrainStorage Storage => _host.Services.GetRequiredKeyedService<IGrainStorage>(StoreName);

        /// <summary>
        /// Visits every grain a storage partition at a time, as a batch does: the partition is read ahead in one
        /// query, then all its grains are called at once so their writes share transactions.
        /// </summary>
        public Task<double> ForEachBucketAsync(string[] keys, Func<IBenchStateGrain, string, Task> action)
        {
            var grains = _host.Services.GetRequiredService<IGrainFactory>();
            return TimeReadAheadAsync(keys, key => action(grains.GetGrain(GrainOf(key)).AsReference<IBenchStateGrain>(), key));
        }

        /// <summary>Writes every row at once a partition at a time; nothing to read ahead, since every row is new.</summary>
        public async Task<double> WriteThroughStorageAsync(string[] keys, string payload)
        {
            var storage = Storage;
            var partitions = ReadAhead.GroupByPartition(keys, GrainOf);
            var stopwatch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(partitions, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (partition, _) =>
                await Task.WhenAll(partition.Select(key => storage.WriteStateAsync(BenchStateGrain.StateName, GrainOf(key), new GrainState<BenchState> { State = new BenchState { Payload = payload, Writes = 1 } }))));
            return stopwatch.Elapsed.TotalSeconds;
        }

        public async Task<double> ReadThroughStorageAsync(string[] keys, int payloadLength)
        {
            var storage = Storage;
            var total = 0L;
            var seconds = await TimeReadAheadAsync(keys, async key =>
            {
                var state = new GrainState<BenchState>();
                await storage.ReadStateAsync(BenchStateGrain.StateName, GrainOf(key), state);
                Interlocked.Add(ref total, state.State!.Payload.Length);
            });
            if (total != (long)keys.Length * payloadLength)
            {
                throw new InvalidOperationException($"Read back {total:N0} payload characters through the storage, expected {(long)keys.Length * payloadLength:N0}.");
            }

            return seconds;
        }

        private async Task<double> TimeReadAheadAsync(string[] keys, Func<string, Task> visit)
        {
            var readAhead = ReadAhead;
            var partitions = readAhead.GroupByPartition(keys, GrainOf);
            var stopwatch = Stopwatch.StartNew();
            await readAhead.RunAsync(partitions, GrainOf, BenchStateGrain.StateName, (_, partition, _) => Task.WhenAll(partition.Select(visit)));
            return stopwatch.Elapsed.TotalSeconds;
        }

        private static GrainId GrainOf(string key) => GrainId.Create(BenchStateGrain.GrainTypeName, key);

        public async ValueTask DisposeAsync()
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }
}

/// <summary>The same rows written and read straight through Azure.Data.Tables: the floor the provider is held to.</summary>
internal static class RawFloor
{
    public static async Task<(double WriteSeconds, double ReadSeconds)> MeasureAsync(string connection, string tableName, int rows, int tables, int partitionsPerTable, string payload)
    {
        var service = new TableServiceClient(connection);
        var clients = Enumerable.Range(0, tables).Select(i => service.GetTableClient($"{tableName}{i:D2}")).ToArray();
        foreach (var client in clients)
        {
            await client.CreateIfNotExistsAsync();
        }

        var data = GrainStateSerializers.Json.Serialize(new BenchState { Payload = payload }).ToArray();
        var partitions = Enumerable.Range(0, rows)
            .GroupBy(i => i % (tables * partitionsPerTable))
            .Select(group => (Table: group.Key % tables, PartitionKey: "bench_" + (group.Key / tables).ToString("D4", CultureInfo.InvariantCulture), Rows: group.ToList()))
            .ToList();

        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(partitions, new ParallelOptions { MaxDegreeOfParallelism = tables }, async (partition, _) =>
        {
            foreach (var chunk in partition.Rows.Chunk(100))
            {
                await clients[partition.Table].SubmitTransactionAsync(chunk.Select(i => new TableTransactionAction(
                    TableTransactionActionType.UpsertReplace,
                    new TableEntity(partition.PartitionKey, "C" + i.ToString("D7", CultureInfo.InvariantCulture)) { [StateRows.SizeProperty] = data.Length, ["Data0"] = data })));
            }
        });
        var write = stopwatch.Elapsed.TotalSeconds;

        stopwatch.Restart();
        var read = 0;
        await Parallel.ForEachAsync(partitions, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (partition, _) =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition.PartitionKey}");
            await foreach (var row in clients[partition.Table].QueryAsync<TableEntity>(filter, maxPerPage: 1000))
            {
                if (row.GetBinary("Data0") is { Length: > 0 })
                {
                    Interlocked.Increment(ref read);
                }
            }
        });
        if (read != rows)
        {
            throw new InvalidOperationException($"Raw read found {read:N0} rows, expected {rows:N0}.");
        }

        var readSeconds = stopwatch.Elapsed.TotalSeconds;

        // Whatever is measured next starts on an emulator as empty as the floor found it.
        foreach (var client in clients)
        {
            await client.DeleteAsync();
        }

        return (write, readSeconds);
    }
}
