using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace LoanOffers.ClusterTestHost;

/// <summary>
/// Where the silo joins and listens. Set by command-line switches (<c>--connection</c>, <c>--cluster-id</c>, ...)
/// or by environment variables named after the properties (<c>ClusterTestHost__ConnectionString</c>, ...).
/// </summary>
public sealed class ClusterTestHostOptions
{
    public const string Section = "ClusterTestHost";

    /// <summary>Command-line switch to configuration key; a fresh copy each time, as the configuration API takes a mutable one.</summary>
    public static Dictionary<string, string> SwitchMappings => new()
    {
        ["--connection"] = $"{Section}:{nameof(ConnectionString)}",
        ["--cluster-id"] = $"{Section}:{nameof(ClusterId)}",
        ["--service-id"] = $"{Section}:{nameof(ServiceId)}",
        ["--silo-port"] = $"{Section}:{nameof(SiloPort)}",
        ["--gateway-port"] = $"{Section}:{nameof(GatewayPort)}",
        ["--table-prefix"] = $"{Section}:{nameof(TablePrefix)}",
    };

    public string ConnectionString { get; set; } = string.Empty;

    public string ClusterId { get; set; } = string.Empty;

    public string ServiceId { get; set; } = string.Empty;

    public int SiloPort { get; set; }

    public int GatewayPort { get; set; }

    /// <summary>Prefixes the membership, reminder and state table names, so each test run has its own tables.</summary>
    public string TablePrefix { get; set; } = string.Empty;

    public string MembershipTable => TablePrefix + "Silos";

    public string ReminderTable => TablePrefix + "Reminders";

    public string StateTable => TablePrefix + "State";

    /// <summary>The command line that configures a host with these options.</summary>
    public IEnumerable<string> ToCommandLine() =>
    [
        "--connection", ConnectionString,
        "--cluster-id", ClusterId,
        "--service-id", ServiceId,
        "--silo-port", SiloPort.ToString(CultureInfo.InvariantCulture),
        "--gateway-port", GatewayPort.ToString(CultureInfo.InvariantCulture),
        "--table-prefix", TablePrefix,
    ];

    public static ClusterTestHostOptions Read(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<ClusterTestHostOptions>() ?? new ClusterTestHostOptions();
        var missing = SwitchMappings
            .Where(mapping => string.IsNullOrWhiteSpace(configuration[mapping.Value]))
            .Select(mapping => mapping.Key)
            .ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"Missing settings: {string.Join(", ", missing)} (or the {Section}__* environment variables).");
        }

        return options;
    }
}
