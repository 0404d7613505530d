using LoanOffers.Benchmarks;

return args.FirstOrDefault() switch
{
    "storage" => await StorageBenchmark.RunAsync(BenchmarkArguments.Parse(args[1..])),
    "batch" => await BatchBenchmark.RunAsync(BenchmarkArguments.Parse(args[1..])),
    "serve" => await ServeBenchmark.RunAsync(BenchmarkArguments.Parse(args[1..])),
    "scoring" => await ScoringBenchmark.RunAsync(BenchmarkArguments.Parse(args[1..])),
    "delivery" => await DeliveryBenchmark.RunAsync(BenchmarkArguments.Parse(args[1..])),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project tests/LoanOffers.Benchmarks -- <verb> [options]
          storage [--rows N]                      provider vs raw bulk, writes and reads (default 200,000 rows)
          batch   [--customers N] [--silos S] [--rounds R]  end-to-end batch vs the storage floor (default 200,000), on S silos
                  [--smaller M]                   too; R rounds of each, with medians (peak memory is each batch's own on Linux);
                                                  with M, each round starts with a one-silo batch of M customers (batch_to_smaller)
          serve   [--connections N] [--seconds S] warm offer reads vs a bare endpoint (default 1000, 20)
          scoring [--requests N] [--concurrency C] [--seconds S] [--models dir]  1/100/1000-row batches per model, service under load
          delivery [--messages N]                 a run's email campaign through the outbox vs a plain MailKit loop (default 50,000)
        """);
    return 2;
}
