using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.Options;

namespace LoanOffers.Server.Security;

/// <summary>The keys that encrypt customers' personal data at rest, from configuration and, where on, the local key.</summary>
public static class PersonalDataKeys
{
    /// <summary>
    /// <c>Encryption:Keys</c> and <c>Encryption:ActiveKeyId</c>; with local keys on, the engine's own key is added (and is
    /// the active one unless another is named). Without any key the engine does not start: personal data is never
    /// stored in plain form.
    /// </summary>
    public static StateEncryption Create(IConfiguration configuration)
    {
        var options = configuration.GetSection(StateEncryptionOptions.Section).Get<StateEncryptionOptions>() ?? new StateEncryptionOptions();
        var local = configuration.GetSection(LocalKeysOptions.Section).Get<LocalKeysOptions>() ?? new LocalKeysOptions();
        if (local.Enabled)
        {
            var keys = new LocalKeyRing(local.Directory ?? SecurityHostingExtensions.DefaultLocalKeyDirectory(configuration));
            options.Keys.TryAdd(LocalKeyRing.PersonalDataKeyId, Convert.ToBase64String(keys.GetOrCreate(LocalKeyRing.PersonalDataKey)));
            options.ActiveKeyId ??= LocalKeyRing.PersonalDataKeyId;
        }

        var validation = new StateEncryptionOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(StateEncryptionOptions.Section, typeof(StateEncryptionOptions), validation.Failures);
        }

        return options.Create();
    }
}
