using LoanOffers.Abstractions;
using LoanOffers.Domain;

namespace LoanOffers.Grains.Tests;

[Collection(EngineCollection.Name)]
public sealed class ProgramGrainTests(EngineClusterFixture fixture)
{
    [Fact]
    public async Task Configure_versions_each_change_and_rejects_a_config_for_another_program()
    {
        var config = EngineClusterFixture.DemoProgram(10);
        var program = fixture.Grains.GetGrain<IProgramGrain>(config.ProgramId);

        var first = await program.Configure(config);
        var second = await program.Configure(config with { ProgramName = "renamed" });

        Assert.Equal(1, first.Version);
        Assert.Equal(2, second.Version);
        Assert.Equal("renamed", (await program.GetConfig())!.ProgramName);
        await Assert.ThrowsAsync<ArgumentException>(() => program.Configure(config with { ProgramId = "someone-else" }));
    }

    [Fact]
    public async Task A_run_evaluates_every_customer_counts_the_funnel_and_indexes_the_offered()
    {
        var config = EngineClusterFixture.DemoProgram(1_200);
        var program = fixture.Grains.GetGrain<IProgramGrain>(config.ProgramId);
        await program.Configure(config);

        var started = await program.StartRun();
        var again = await program.StartRun();
        var run = await fixture.WaitForRunAsync(program, started.Run.RunId);

        Assert.True(started.Started);
        Assert.False(again.Started);
        Assert.Equal(started.Run.RunId, again.Run.RunId);
        Assert.Equal(RunState.Completed, run.State);
        Assert.Equal(1_200, run.Total);
        Assert.Equal(1_200, run.Processed);
        Assert.Equal(0, run.Errors);
        Assert.Equal(run.Total, run.Offered + run.NoOffer + run.RejectedByFilter.Values.Sum());
        Assert.Equal(run.Offered, run.OffersByTier.Values.Sum());
        Assert.InRange(run.Offered, 200, 400);
        Assert.Equal(["affordability", "credit-qualification", "eligibility", "regulatory-compliance", "trust"], run.RejectedByFilter.Keys.Order());

        var indexed = 0;
        foreach (var tier in run.OffersByTier.Keys)
        {
            var page = await fixture.CandidateIndex.QueryByTierAsync(config.ProgramId, tier, 0, 1000, null, DateTimeOffset.UtcNow);
            Assert.Equal(page.Candidates.Select(c => c.Score).OrderDescending(), page.Candidates.Select(c => c.Score));
            indexed += page.Candidates.Count;
        }

        Assert.Equal(run.Offered, indexed);
        Assert.Equal([run.RunId], (await program.GetRuns()).Select(r => r.RunId));
    }

    [Fact]
    public async Task A_run_resumes_from_its_checkpoint_after_the_program_grain_is_deactivated()
    {
        var config = EngineClusterFixture.DemoProgram(3_000);
        var program = fixture.Grains.GetGrain<IProgramGrain>(config.ProgramId);
        await program.Configure(config);
        var started = await program.StartRun();

        var deadline = DateTime.UtcNow.AddMinutes(1);
        while ((await program.GetRun(started.Run.RunId))!.PartitionsDone == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await fixture.Cluster.DeactivateAsync(program);
        var run = await fixture.WaitForRunAsync(program, started.Run.RunId);

        Assert.Equal(RunState.Completed, run.State);
        Assert.True(run.Resumes >= 1);
        Assert.Equal(3_000, run.Processed);
        Assert.Equal(run.Total, run.Offered + run.NoOffer + run.RejectedByFilter.Values.Sum());
        var indexed = 0;
        foreach (var tier in run.OffersByTier.Keys)
        {
            indexed += (await fixture.CandidateIndex.QueryByTierAsync(config.ProgramId, tier, 0, 1000, null, DateTimeOffset.UtcNow)).Candidates.Count;
        }

        Assert.Equal(run.Offered, indexed);
    }

    [Fact]
    public async Task A_csv_connector_reports_bad_rows_by_line_and_processes_the_good_ones()
    {
        var profiles = SyntheticCustomers.Generate(50, 3).Select(p => p with { CustomerId = "csv-" + p.CustomerId }).ToList();
        var writer = new StringWriter();
        CustomerCsvWriter.Write(writer, profiles);
        var lines = writer.ToString().TrimEnd().Split('\n').ToList();
        lines[5] = lines[5].Replace(profiles[4].CreditScore.ToString(), "not-a-number");
        var fileName = Guid.NewGuid().ToString("N") + ".csv";
        await File.WriteAllTextAsync(Path.Combine(fixture.DataDirectory, fileName), string.Join('\n', lines));
        var config = EngineClusterFixture.DemoProgram(1) with
        {
            DataConnectors = [new DataConnectorConfig("csv", DataConnectorTypes.Csv, new Dictionary<string, string> { ["path"] = fileName })],
        };
        var program = fixture.Grains.GetGrain<IProgramGrain>(config.ProgramId);
        await program.Configure(config);

        var run = await fixture.WaitForRunAsync(program, (await program.StartRun()).Run.RunId);

        Assert.Equal(RunState.Completed, run.State);
        Assert.Equal(49, run.Processed);
        var bad = Assert.Single(run.BadRows);
        Assert.Equal(6, bad.LineNumber);
        Assert.Equal("credit_score (column 2) is not a whole number", bad.Reason);
    }

    [Fact]
    public async Task A_csv_path_outside_the_data_directory_fails_the_run_with_a_clear_error()
    {
        var config = EngineClusterFixture.DemoProgram(1) with
        {
            DataConnectors = [new DataConnectorConfig("csv", DataConnectorTypes.Csv, new Dictionary<string, string> { ["path"] = "../../etc/passwd" })],
        };
        var program = fixture.Grains.GetGrain<IProgramGrain>(config.ProgramId);
        await program.Configure(config);

        var run = await fixture.WaitForRunAsync(program, (await program.StartRun()).Run.RunId);

        Assert.Equal(RunState.Failed, run.State);
        Assert.Contains("leaves the data directory", run.LastError);
    }

    [Fact]
    public async Task A_missing_csv_file_is_a_lasting_cause_that_fails_the_run_in_one_line_instead_of_pausing_it()
    {
        var config = EngineClusterFixture.DemoProgram(1) with
        {
            DataConnectors = [new DataConnectorConfig("csv", DataConnectorTypes.Csv, new Dictionary<string, string> { ["path"] = "not-there.csv" })],
        };
        var program = fixture.Grains.GetGrain<IProgramGrain>(config.ProgramId);
        await program.Configure(config);

        var run = await fixture.WaitForRunAsync(program, (await program.StartRun()).Run.RunId, TimeSpan.FromSeconds(30));

        Assert.Equal(RunState.Failed, run.State);
        Assert.Equal(0, run.Pauses);
        Assert.Equal("FileNotFoundException: The csv connector's file 'not-there.csv' does not exist in the data directory.", run.LastError);
    }
}
