using System.Globalization;
using LoanOffers.Abstractions;
using LoanOffers.Delivery;
using LoanOffers.Domain;
using LoanOffers.Server.Hosting;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Spectre.Console;

namespace LoanOffers.Server.Demo;

/// <summary>
/// <c>demo [--customers N] [--fresh]</c>: serves the engine, loads seed 000's program with N synthetic customers, runs
/// one batch while printing its progress, prints the run's report and example URLs, and keeps serving until Ctrl+C.
/// The local Azurite keeps its data on disk, so a restart serves what earlier runs made; <c>--fresh</c> starts clean.
/// </summary>
public static class DemoCommand
{
    public const int DefaultCustomers = 10_000;

    /// <summary>
    /// The largest demo book. The demo's Azurite keeps its tables on disk by saving them as one JSON document, and Node
    /// caps a string at about 512 MB, some 150,000 customers' rows: a larger book stops the emulator at its next save.
    /// </summary>
    public const int MaxCustomers = 100_000;

    /// <summary>Who the audit trail names for what the demo itself configures and starts.</summary>
    private static readonly AuditActor DemoActor = new("demo", "system", null);

    /// <summary>The host's configuration arguments: <c>--fresh</c> becomes <c>Azurite:Fresh</c>, the demo's own switches stay here.</summary>
    public static string[] HostArguments(string[] demoArgs)
    {
        // The demo signs its own tokens and encrypts with its own key, whatever the environment.
        var host = new List<string> { "--LocalKeys:Enabled=true" };
        for (var index = 0; index < demoArgs.Length; index++)
        {
            switch (demoArgs[index])
            {
                case "--fresh":
                    host.Add("--Azurite:Fresh=true");
                    break;
                case "--customers":
                    index++;
                    break;
                default:
                    host.Add(demoArgs[index]);
                    break;
            }
        }

        return [.. host];
    }

    /// <summary>Why <c>--customers</c> cannot be used as given (null when it can), and the book size to use.</summary>
    internal static string? CustomersError(string[] args, out int customers)
    {
        customers = DefaultCustomers;
        var argument = Array.IndexOf(args, "--customers");
        if (argument < 0 || argument + 1 < args.Length && int.TryParse(args[argument + 1], out customers) && customers is >= 1 and <= MaxCustomers)
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture, $"--customers takes a number between 1 and {MaxCustomers:N0}: the demo's Azurite saves its tables to disk as one JSON document, which Node caps at about 512 MB (some 150,000 customers). ")
            + "For a larger book, run the batch benchmark (dotnet run -c Release --project tests/LoanOffers.Benchmarks -- batch --customers 1000000), whose Azurite keeps its tables in memory.";
    }

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        if (CustomersError(args, out var customers) is { } error)
        {
            Console.Error.WriteLine(error);
            return 2;
        }

        await app.StartAsync();
        var completed = false;
        try
        {
            completed = await ShowAsync(app, customers, app.Lifetime.ApplicationStopping);
            Console.WriteLine("Serving until Ctrl+C.");
        }
        catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Ctrl+C while the batch or its campaign runs stops the engine now; both carry on from their checkpoints at the next start.
            Console.WriteLine("Stopping: the run and its campaign carry on from their checkpoints when the engine starts again.");
        }

        await app.WaitForShutdownAsync();
        return completed ? 0 : 1;
    }

    /// <summary>Loads the demo program, runs its batch and campaign while showing their progress, and prints how to try the result; whether the run completed.</summary>
    private static async Task<bool> ShowAsync(WebApplication app, int customers, CancellationToken stopping)
    {
        var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:5080";
        var grains = app.Services.GetRequiredService<IGrainFactory>();

        var parsed = ProgramConfigParser.ParseYaml(DemoPrograms.LoanOfferTargetingYaml);
        var demo = parsed.Config! with
        {
            DataConnectors = [new DataConnectorConfig("synthetic-credit-profiles", DataConnectorTypes.Synthetic, new Dictionary<string, string>
            {
                ["count"] = customers.ToString(CultureInfo.InvariantCulture),
                ["seed"] = "42",
            })],
        };
        var program = grains.GetGrain<IProgramGrain>(demo.ProgramId);
        var audit = app.Services.GetRequiredService<AuditTrail>();
        var before = await program.GetConfig();
        var config = await program.Configure(demo);
        await audit.AppendAsync(AuditRecords.ProgramConfigured(DemoActor, before, config));
        Console.WriteLine($"Program '{config.ProgramId}' v{config.Version} loaded (seed 000, {customers:N0} synthetic customers). Running one batch...");

        var started = await program.StartRun();
        await audit.AppendAsync(AuditRecords.RunStarted(DemoActor, config.ProgramId, started.Run));
        var run = started.Run;
        await AnsiConsole.Progress().Columns(ProgressColumns).StartAsync(async progress =>
        {
            var batch = progress.AddTask($"Run {run.RunId}", maxValue: customers);
            while (run.State == RunState.Running)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), stopping);
                run = await program.GetRun(run.RunId) ?? run;
                batch.MaxValue = Math.Max(1, run.Total);
                batch.Value = run.Processed;
                batch.Description = $"Batch: {run.Offered:N0} offered, {run.RejectedByFilter.Values.Sum():N0} rejected, {run.Errors:N0} errors";
            }

            batch.Value = batch.MaxValue;
        });

        PrintSummary(run);
        if (run.State == RunState.Completed)
        {
            await SendCampaignAsync(grains, app.Services.GetRequiredService<OfferMailer>(), app.Services.GetRequiredService<OfferTexter>(), audit, config.ProgramId, run.RunId, stopping);
        }

        await PrintExamplesAsync(app.Services.GetRequiredService<CandidateIndex>(), app.Services.GetRequiredService<LocalTokenIssuer>(), config, baseUrl);
        Console.WriteLine();
        Console.WriteLine($"Tables persist in {AzuriteHostedService.DataDirectory(app.Configuration)}: a restart serves these programs, runs and offers ('demo --fresh' starts clean).");
        return run.State == RunState.Completed;
    }

    private static readonly ProgressColumn[] ProgressColumns =
        [new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn()];

    private static void PrintSummary(RunStatus run)
    {
        var seconds = ((run.CompletedAt ?? DateTimeOffset.UtcNow) - run.StartedAt).TotalSeconds;
        var summary = new Table().Border(TableBorder.Rounded)
            .AddColumn("Stage").AddColumn(new TableColumn("Customers").RightAligned()).AddColumn(new TableColumn("Share").RightAligned());
        summary.AddRow("customers", $"{run.Total:N0}", "100%");
        foreach (var (filter, count) in run.RejectedByFilter)
        {
            summary.AddRow($"rejected by {Markup.Escape(filter)}", $"{count:N0}", Share(count, run.Total));
        }

        summary.AddRow("no offer", $"{run.NoOffer:N0}", Share(run.NoOffer, run.Total));
        summary.AddRow("[green]offered[/]", $"[green]{run.Offered:N0}[/]", Share(run.Offered, run.Total));
        foreach (var (tier, count) in run.OffersByTier)
        {
            summary.AddRow($"  {Markup.Escape(tier)}", $"{count:N0}", Share(count, run.Offered) + " of offered");
        }

        summary.AddRow("offers made", $"{run.OffersMade:N0}", string.Empty);
        summary.AddRow("withdrawn (no longer qualify)", $"{run.Withdrawn:N0}", string.Empty);
        summary.AddRow("errors", $"{run.Errors:N0}", string.Empty);
        summary.AddRow("bad rows", $"{run.BadRowCount:N0}", string.Empty);
        AnsiConsole.WriteLine();
        AnsiConsole.WriteLine($"Run {run.RunId}: {run.State} in {seconds:F1} s ({run.Processed / Math.Max(seconds, 0.001):N0} customers/s)");
        AnsiConsole.Write(summary);
    }

    /// <summary>Sends the run's campaign (email, SMS) now and says where the messages can be read.</summary>
    private static async Task SendCampaignAsync(
        IGrainFactory grains, OfferMailer mailer, OfferTexter texter, AuditTrail audit, string programId, string runId, CancellationToken stopping)
    {
        var campaign = grains.GetGrain<ICampaignGrain>($"{programId}/{runId}");
        var progress = await campaign.Start(sendNow: true);
        await audit.AppendAsync(AuditRecords.CampaignStarted(DemoActor, progress));
        await AnsiConsole.Progress().Columns(ProgressColumns).StartAsync(async bar =>
        {
            var sending = bar.AddTask("Campaign", maxValue: Math.Max(1, progress.Queued));
            while (progress.Status == CampaignStatuses.Running)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), stopping);
                progress = await campaign.GetProgress();
                sending.MaxValue = Math.Max(1, progress.Queued);
                sending.Value = progress.Queued - progress.Messages.GetValueOrDefault(OutboxStatuses.Pending);
                sending.Description = $"Campaign: {progress.Messages.GetValueOrDefault(OutboxStatuses.Sent):N0} sent";
            }

            sending.Value = sending.MaxValue;
        });

        var outcome = new Table().Border(TableBorder.Rounded)
            .AddColumn($"Campaign {progress.Status}: messages").AddColumn(new TableColumn("Count").RightAligned());
        foreach (var (status, count) in progress.Messages)
        {
            outcome.AddRow(status == OutboxStatuses.Suppressed ? "suppressed (stopped by the contact policy)" : status, $"{count:N0}");
        }

        AnsiConsole.WriteLine();
        AnsiConsole.Write(outcome);
        if (mailer.MailDrop is { } drop)
        {
            Console.WriteLine($"  No SMTP relay is configured, so the engine's own SMTP server received the emails: one .eml file per email in {drop.Directory}");
        }

        if (texter.Fake is { } sms)
        {
            Console.WriteLine($"  No SMS provider is configured, so a fake one on loopback received the texts (excellent credit only): one .json file per text in {sms.Directory}");
        }

        Console.WriteLine($"  The funnel per tier and channel: GET /api/v1/admin/programs/{programId}/runs/{runId}/funnel (lending-admin token below)");
    }

    private static async Task PrintExamplesAsync(CandidateIndex index, LocalTokenIssuer tokens, ProgramConfig config, string baseUrl)
    {
        var top = await index.QueryByTierAsync(config.ProgramId, "excellent", 0, 3, null, DateTimeOffset.UtcNow);
        var customer = top.Candidates.FirstOrDefault()?.CustomerId ?? "C0000001";
        Console.WriteLine();
        Console.WriteLine($"Sign-in tokens, valid {LocalTokenIssuer.DefaultLifetime.TotalHours:F0} hours (more: dotnet run --project src/LoanOffers.Server -- token --role <role> [--customer <id>]):");
        Console.WriteLine($"  export CUSTOMER_TOKEN={tokens.Issue(EngineRoles.Customer, customer)}   # customer {customer}'s app");
        foreach (var (variable, role) in StaffTokens)
        {
            Console.WriteLine($"  export {variable}={tokens.Issue(role, LocalTokenIssuer.DefaultSubject(role))}   # {role}");
        }

        Console.WriteLine();
        Console.WriteLine("Console (the link signs you in; the token stays in the page's fragment, never sent to the server):");
        foreach (var role in ConsoleRoles)
        {
            Console.WriteLine($"  {role,-14} {baseUrl}/console/#token={tokens.Issue(role, LocalTokenIssuer.DefaultSubject(role))}");
        }

        Console.WriteLine();
        Console.WriteLine("Try:");
        Console.WriteLine($"  curl -H \"Authorization: Bearer $CUSTOMER_TOKEN\" {baseUrl}/api/v1/customers/{customer}/offers");
        Console.WriteLine($"  curl -H \"Authorization: Bearer $CUSTOMER_TOKEN\" -X POST {baseUrl}/api/v1/offers -H 'Content-Type: application/json' -d '{{\"requestedAmount\":20000,\"requestedTenure\":36}}'");
        foreach (var candidate in top.Candidates.Skip(1))
        {
            Console.WriteLine($"  curl -H \"Authorization: Bearer $BANK_TOKEN\" {baseUrl}/api/v1/customers/{candidate.CustomerId}/offers");
        }

        Console.WriteLine($"  curl -H \"Authorization: Bearer $ADMIN_TOKEN\" '{baseUrl}/api/v1/admin/programs/{config.ProgramId}/candidates?tier=excellent&minScore=0.8&limit=10'");
        Console.WriteLine($"  curl -H \"Authorization: Bearer $ANALYST_TOKEN\" {baseUrl}/api/v1/admin/programs/{config.ProgramId}/runs");
        Console.WriteLine($"  curl -H \"Authorization: Bearer $ANALYST_TOKEN\" {baseUrl}/api/v1/admin/customers/{customer}/decisions");
        Console.WriteLine($"  curl -H \"Authorization: Bearer $ANALYST_TOKEN\" {baseUrl}/api/v1/admin/customers/{customer}/records");
        Console.WriteLine($"  curl -H \"Authorization: Bearer $MODEL_OPS_TOKEN\" {baseUrl}/api/v1/admin/models");
        Console.WriteLine($"  curl -H \"Authorization: Bearer $ANALYST_TOKEN\" {baseUrl}/api/v1/admin/audit");
        Console.WriteLine($"  curl -H \"Authorization: Bearer $ANALYST_TOKEN\" {baseUrl}/openapi/v1.json");
    }

    private static readonly string[] ConsoleRoles = [EngineRoles.LendingAdmin, EngineRoles.RiskAnalyst, EngineRoles.ModelOps, EngineRoles.Operations];

    private static readonly (string Variable, string Role)[] StaffTokens =
    [
        ("BANK_TOKEN", EngineRoles.OffersService),
        ("ADMIN_TOKEN", EngineRoles.LendingAdmin),
        ("ANALYST_TOKEN", EngineRoles.RiskAnalyst),
        ("MODEL_OPS_TOKEN", EngineRoles.ModelOps),
    ];

    private static string Share(int part, int whole) => whole == 0 ? "0%" : (100.0 * part / whole).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
