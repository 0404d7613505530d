using Microsoft.Extensions.Options;

namespace LoanOffers.Server.Security;

/// <summary>Refuses to start an engine that could not tell a real token from a forged one.</summary>
public sealed class AuthOptionsValidator(IOptions<LocalKeysOptions> localKeys) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        if (localKeys.Value.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            errors.Add("Auth:Issuer is required: the issuer the bank's identity provider names in its tokens.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            errors.Add("Auth:Audience is required: the audience the identity provider issues this engine's tokens for.");
        }

        if (string.IsNullOrWhiteSpace(options.Authority) && string.IsNullOrWhiteSpace(options.MetadataAddress) && options.SigningKeys.Count == 0)
        {
            errors.Add("Give Auth:Authority, Auth:MetadataAddress or Auth:SigningKeys, so the engine can check token signatures (or LocalKeys:Enabled=true for local use).");
        }

        for (var index = 0; index < options.SigningKeys.Count; index++)
        {
            var key = LocalKeyRing.TryDecode(options.SigningKeys[index]);
            if (key is null || key.Length < 32)
            {
                errors.Add($"Auth:SigningKeys:{index} must be base64 of at least 32 bytes.");
            }
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            errors.Add("Auth:ClockSkew must be between 0 and 5 minutes.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
