using LoanOffers.Server.Demo;

namespace LoanOffers.Server.Hosting;

/// <summary>The host's verbs: none (serve), <c>demo</c>, and the offline ones that need no silo.</summary>
public static class EngineCommands
{
    /// <summary>Runs a verb that needs no web host or silo; null when the arguments name none.</summary>
    public static Task<int?> TryRunOfflineCommandAsync(string[] args) => Task.FromResult<int?>(null);

    public static async Task<int> RunEngineAsync(this WebApplication app, string[] args)
    {
        if (args.FirstOrDefault() == "demo")
        {
            return await DemoCommand.RunAsync(app, args[1..]);
        }

        await app.RunAsync();
        return 0;
    }
}
