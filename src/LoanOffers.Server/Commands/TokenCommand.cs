using System.Globalization;
using LoanOffers.Server.Security;

namespace LoanOffers.Server.Commands;

/// <summary>
/// <c>token --role &lt;role&gt; [--customer &lt;id&gt;] [--subject &lt;name&gt;] [--minutes N]</c>: prints a token signed with the
/// engine's local key, alone on the last line. Only where local keys are on (Development, the demo): elsewhere the
/// bank's identity provider issues the tokens.
/// </summary>
public static class TokenCommand
{
    public const string Verb = "token";

    private const string Usage = "usage: token --role <customer|offers-service|lending-admin|risk-analyst|model-ops> [--customer <id>] [--subject <name>] [--minutes N]";

    public static int Run(IConfiguration host, string[] verbArgs, TextWriter output, TextWriter error)
    {
        var request = new ConfigurationBuilder().AddCommandLine(verbArgs).Build();
        var role = request["role"];
        if (role is null || !EngineRoles.All.Contains(role))
        {
            error.WriteLine($"--role must be one of {string.Join(", ", EngineRoles.All)}.\n{Usage}");
            return 2;
        }

        var customer = request["customer"];
        if (role == EngineRoles.Customer && string.IsNullOrWhiteSpace(customer))
        {
            error.WriteLine($"A customer token names its customer: --customer <id>.\n{Usage}");
            return 2;
        }

        var minutes = 480;
        if (request["minutes"] is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out minutes) || minutes is < 1 or > 7 * 24 * 60))
        {
            error.WriteLine($"--minutes takes a whole number from 1 to {7 * 24 * 60}.\n{Usage}");
            return 2;
        }

        var local = host.GetSection(LocalKeysOptions.Section).Get<LocalKeysOptions>() ?? new LocalKeysOptions();
        if (!local.Enabled)
        {
            error.WriteLine("token signs with the engine's local key, which is on only where LocalKeys:Enabled is true (Development and the demo); elsewhere the bank's identity provider issues tokens.");
            return 2;
        }

        var keys = new LocalKeyRing(local.Directory ?? SecurityHostingExtensions.DefaultLocalKeyDirectory(host));
        var subject = role == EngineRoles.Customer ? customer! : request["subject"] ?? LocalTokenIssuer.DefaultSubject(role);
        output.WriteLine($"# {role} token for '{subject}', valid {minutes} minutes, signed with the local key in {keys.Directory}");
        output.WriteLine(new LocalTokenIssuer(keys, TimeProvider.System).Issue(role, subject, TimeSpan.FromMinutes(minutes)));
        return 0;
    }
}
