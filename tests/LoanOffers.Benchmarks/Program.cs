using LoanOffers.Benchmarks;

return args.FirstOrDefault() switch
{
    "storage" => await StorageBenchmark.RunAsync(BenchmarkArguments.Parse(args[1..])),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tests/LoanOffers.Benchmarks -- storage [--rows N] [--connection <azure tables connection string>]");
    return 2;
}
