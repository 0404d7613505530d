using LoanOffers.Server.Hosting;

if (await EngineCommands.TryRunOfflineCommandAsync(args) is int exitCode)
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(EngineCommands.HostArguments(args));
if (await EngineCommands.TryRunToolCommandAsync(builder, args) is int toolExitCode)
{
    return toolExitCode;
}

builder.AddLoanOfferEngine();

var app = builder.Build();
app.MapLoanOfferEngine();

return await app.RunEngineAsync(args);

/// <summary>Lets tests host the real application with WebApplicationFactory.</summary>
public partial class Program;
