using Microsoft.Extensions.Options;

namespace LoanOffers.Storage.AzureTables;

public sealed class StateEncryptionOptionsValidator : IValidateOptions<StateEncryptionOptions>
{
    public ValidateOptionsResult Validate(string? name, StateEncryptionOptions options)
    {
        var errors = new List<string>();
        if (options.Keys.Count == 0)
        {
            errors.Add("Encryption:Keys is empty: give at least one base64 AES-256 key, e.g. Encryption:Keys:k1, and Encryption:ActiveKeyId=k1.");
        }

        foreach (var (id, value) in options.Keys)
        {
            var buffer = new byte[value.Length];
            if (!Convert.TryFromBase64String(value, buffer, out var length) || length != StateEncryption.KeyBytes)
            {
                errors.Add($"Encryption:Keys:{id} must be base64 of exactly {StateEncryption.KeyBytes} bytes.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.ActiveKeyId))
        {
            errors.Add("Encryption:ActiveKeyId is required: the key new writes use.");
        }
        else if (options.Keys.Count > 0 && !options.Keys.ContainsKey(options.ActiveKeyId))
        {
            errors.Add($"Encryption:ActiveKeyId '{options.ActiveKeyId}' is not one of Encryption:Keys ({string.Join(", ", options.Keys.Keys)}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
