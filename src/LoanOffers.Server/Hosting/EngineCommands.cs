using LoanOffers.Storage.AzureTables;
using LoanOffers.Scoring;
using LoanOffers.Server.Commands;
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

    /// <summary>The verbs that read the host's configuration (keys, tables) but start no silo or web server.</summary>
    public static readonly IReadOnlyList<string> ToolVerbs = [TokenCommand.Verb, VerifyAuditCommand.Verb, RotateKeysCommand.Verb];

    /// <summary>The arguments the web host reads as configuration: a verb's own switches are the verb's.</summary>
    public static string[] HostArguments(string[] args) => args.FirstOrDefault() switch
    {
        "demo" => DemoCommand.HostArguments(args[1..]),
        { } verb when ToolVerbs.Contains(verb) => args[1..],
        _ => args,
    };

    /// <summary>Runs a verb that needs the host's configuration but no silo; null when the arguments name none.</summary>
    public static async Task<int?> TryRunToolCommandAsync(WebApplicationBuilder builder, string[] args) => args.FirstOrDefault() switch
    {
        TokenCommand.Verb => TokenCommand.Run(builder.Configuration, args[1..], Console.Out, Console.Error),
        VerifyAuditCommand.Verb => await VerifyAuditCommand.RunAsync(builder.Configuration, Console.Out),
        RotateKeysCommand.Verb => await RotateKeysCommand.RunAsync(builder.Configuration, Console.Out),
        _ => null,
    };

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
