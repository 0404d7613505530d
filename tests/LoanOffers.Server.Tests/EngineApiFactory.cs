using System.Net;
using System.Net.Http.Headers;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;
using LoanOffers.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LoanOffers.Server.Tests;

/// <summary>The real application (silo + API) on a real Azurite, with its own tables and free Orleans ports.</summary>
public sealed class EngineApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private AzuriteFixture _azurite = new();
    private bool _kestrel;
    private (string Key, string Value)[] _settings = [];

    /// <summary>An engine on an Azurite of its own, which a test may stop and resume.</summary>
    public static EngineApiFactory WithOwnAzurite() => new() { _azurite = AzuriteFixture.Dedicated() };

    /// <summary>An engine with further settings of a test's own.</summary>
    public static EngineApiFactory With(params (string Key, string Value)[] settings) => new() { _settings = settings };

    /// <summary>Everything the engine logs, with its scopes.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>An engine serving on a real loopback port, for a browser.</summary>
    public static EngineApiFactory OnKestrel() => new() { _kestrel = true };

    /// <summary>Where a browser reaches the engine (an engine made by <see cref="OnKestrel"/>).</summary>
    public string BaseUrl => Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>The Azurite the engine runs on.</summary>
    public AzuriteFixture Azurite => _azurite;

    /// <summary>A copy of the shipped models, so retraining and rollback tests never touch the repository's.</summary>
    public string ModelDirectory { get; } = CopyShippedModels();

    /// <summary>The engine's data directory (CSV connectors, retraining outcomes).</summary>
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("loanoffers-api-data").FullName;

    /// <summary>The blob storage the engine's warehouse export writes to, in a container of its own.</summary>
    public string BlobConnectionString { get; private set; } = string.Empty;

    public string ExportContainer { get; } = AzuriteFixture.UniqueName("warehouse-");

    /// <summary>The prefix of this engine's tables.</summary>
    public string TablePrefix { get; } = AzuriteFixture.UniqueName("s");

    /// <summary>Where the engine's own SMTP server keeps the emails it receives.</summary>
    public string MailDirectory { get; } = Directory.CreateTempSubdirectory("loanoffers-api-mail").FullName;

    /// <summary>Where the fake SMS provider keeps the texts it receives.</summary>
    public string SmsDirectory { get; } = Path.Combine(Path.GetTempPath(), "loanoffers-api-sms-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The engine's local keys (token signing, personal data).</summary>
    public string KeyDirectory { get; } = Directory.CreateTempSubdirectory("loanoffers-api-keys").FullName;

    /// <summary>A token the engine accepts, signed with its local key.</summary>
    public string Token(string role, string? subject = null, TimeSpan? lifetime = null) =>
        Services.GetRequiredService<LocalTokenIssuer>().Issue(role, subject ?? LocalTokenIssuer.DefaultSubject(role), lifetime);

    /// <summary>A client through the real pipeline, signed in as <paramref name="role"/>.</summary>
    public HttpClient CreateClient(string role, string? subject = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(role, subject));
        return client;
    }

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        BlobConnectionString = await AzuriteFixture.BlobConnectionStringAsync();
        if (_kestrel)
        {
            UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            StartServer();
        }
        else
        {
            _ = Server;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.UseSetting("ConnectionStrings:Tables", _azurite.ConnectionString);
        builder.UseSetting("Engine:TablePrefix", TablePrefix);
        builder.UseSetting("ConnectionStrings:Blobs", BlobConnectionString);
        builder.UseSetting("Reports:ExportContainer", ExportContainer);
        builder.UseSetting("Orleans:SiloPort", AzuriteEmulator.FreeLoopbackPort().ToString());
        builder.UseSetting("Orleans:GatewayPort", AzuriteEmulator.FreeLoopbackPort().ToString());
        builder.UseSetting("Orleans:ClusterId", "test-" + Guid.NewGuid().ToString("N")[..8]);
        builder.UseSetting("Scoring:ModelDirectory", ModelDirectory);
        builder.UseSetting("Engine:DataDirectory", DataDirectory);
        builder.UseSetting("LocalKeys:Enabled", "true");
        builder.UseSetting("LocalKeys:Directory", KeyDirectory);
        builder.UseSetting("Delivery:MailDropDirectory", MailDirectory);
        builder.UseSetting("Delivery:SmsDropDirectory", SmsDirectory);
        // A test starts the campaigns it means to send, and sends them whatever the hour.
        builder.UseSetting("Delivery:StartAfterRun", "false");
        builder.UseSetting("Delivery:QuietHoursStart", "");
        builder.UseSetting("Delivery:QuietHoursEnd", "");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _azurite.DisposeAsync();
        Directory.Delete(ModelDirectory, recursive: true);
        Directory.Delete(DataDirectory, recursive: true);
        Directory.Delete(KeyDirectory, recursive: true);
        Directory.Delete(MailDirectory, recursive: true);
        if (Directory.Exists(SmsDirectory))
        {
            Directory.Delete(SmsDirectory, recursive: true);
        }
    }

    private static string CopyShippedModels()
    {
        var source = AppContext.BaseDirectory;
        while (!Directory.Exists(Path.Combine(source, "models", "loan-approval-v4")))
        {
            source = Path.GetDirectoryName(source) ?? throw new DirectoryNotFoundException("The repository's models/ folder was not found.");
        }

        var target = Directory.CreateTempSubdirectory("loanoffers-api-models").FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(source, "models"), "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(Path.Combine(source, "models"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<EngineApiFactory>
{
    public const string Name = "Api";
}
