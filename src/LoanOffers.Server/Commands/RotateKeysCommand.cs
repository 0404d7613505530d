using LoanOffers.Server.Hosting;
using LoanOffers.Server.Security;
using LoanOffers.Storage.AzureTables;

namespace LoanOffers.Server.Commands;

/// <summary>
/// <c>rotate-keys</c>: re-encrypts every customer's stored state under <c>Encryption:ActiveKeyId</c> (rows under older
/// keys, and rows stored before encryption). Safe while the engine serves. Exit code 0 when every row uses the active
/// key, 1 when live writes changed rows meanwhile (run it again).
/// </summary>
public static class RotateKeysCommand
{
    public const string Verb = "rotate-keys";

    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, CancellationToken cancellationToken = default)
    {
        var encryption = PersonalDataKeys.Create(configuration);
        var storage = EngineHostingExtensions.StorageOptions(configuration, encryption);
        var report = await StateKeyRotation.RotateAsync(storage.TableServiceClient, storage.CustomerTables, encryption, cancellationToken);
        await output.WriteLineAsync(
            $"Key rotation to '{encryption.ActiveKeyId}': {report.Rows:N0} rows, {report.Reencrypted:N0} re-encrypted, {report.AlreadyCurrent:N0} already current, {report.ChangedMeanwhile:N0} changed meanwhile.");
        if (!report.Complete)
        {
            await output.WriteLineAsync("Rows changed by live writes while the pass ran; run rotate-keys again to check them.");
        }

        return report.Complete ? 0 : 1;
    }
}
