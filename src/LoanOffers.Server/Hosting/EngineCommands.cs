using LoanOffers.Storage.AzureTables;
using LoanOffers.Scoring;
using LoanOffers.Server.Demo;

namespace LoanOffers.Server.Hosting;

/// <summary>The host's verbs: none (serve), <c>demo</c>, and the offline ones that need no silo.</summary>
public static class EngineCommands
{
    /// <summary>Runs a verb that needs no web host or silo (model training); null when the arguments name none.</summary>
    public static async Task<int?> TryRunOfflineCommandAsync(string[] args) =>
        args.Length > 0 && TrainingCommand.Verbs.Contains(args[0])
            ? await TrainingCommand.RunAsync(args, Console.Out)
            : null;

    /// <summary>The arguments the web host reads as configuration: a verb's own switches are the verb's.</summary>
    public static string[] HostArguments(string[] args) => args.FirstOrDefault() == "demo" ? DemoCommand.HostArguments(args[1..]) : args;

    public static async Task<int> RunEngineAsync(this WebApplication app, string[] args)
    {
        try
        {
            if (args.FirstOrDefault() == "demo")
            {
                return await DemoCommand.RunAsync(app, args[1..]);
            }

            await app.RunAsync();
            return 0;
        }
        catch (AzuritePortTakenException taken)
        {
            // Something to fix on the machine, not a fault of the engine: say what, without a stack trace.
            await Console.Error.WriteLineAsync(taken.Message);
            return 2;
        }
    }
}
