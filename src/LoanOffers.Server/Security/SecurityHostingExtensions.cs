using LoanOffers.Server.Apis;
using LoanOffers.Server.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace LoanOffers.Server.Security;

public static class SecurityHostingExtensions
{
    /// <summary>Bearer tokens on every endpoint but health, and the roles' policies.</summary>
    public static WebApplicationBuilder AddEngineSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<LocalKeysOptions>()
            .Bind(configuration.GetSection(LocalKeysOptions.Section))
            .PostConfigure(options => options.Directory ??= DefaultLocalKeyDirectory(configuration))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<LocalKeysOptions>, LocalKeysOptionsValidator>();
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton(provider => new LocalKeyRing(provider.GetRequiredService<IOptions<LocalKeysOptions>>().Value.Directory!));
        services.AddSingleton<LocalTokenIssuer>();
        services.AddOptions<LoanOffers.Delivery.DeliveryOptions>().PostConfigure<IOptions<LocalKeysOptions>, IServiceProvider>((delivery, local, provider) =>
        {
            if (local.Value.Enabled)
            {
                delivery.SigningKey ??= Convert.ToBase64String(provider.GetRequiredService<LocalKeyRing>().GetOrCreate(LocalKeyRing.DeliverySigningKey));
            }
        });
        services.AddSingleton<ValidatedTokens>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer().AddDashboardCookie();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, IOptions<LocalKeysOptions>, IServiceProvider>((jwt, auth, local, provider) =>
            {
                ConfigureBearer(jwt, auth.Value, local.Value.Enabled ? provider.GetRequiredService<LocalKeyRing>() : null);
                provider.GetRequiredService<ValidatedTokens>().Attach(jwt.Events ??= new JwtBearerEvents());
            });
        services.AddAuthorizationBuilder().AddEnginePolicies();
        services.AddEngineRateLimits(configuration);
        return builder;
    }

    /// <summary>The folder beside the local Azurite's data, git-ignored like it.</summary>
    public static string DefaultLocalKeyDirectory(IConfiguration configuration) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(AzuriteHostedService.DataDirectory(configuration)))!, "keys");

    private static void ConfigureBearer(JwtBearerOptions jwt, AuthOptions auth, LocalKeyRing? localKeys)
    {
        // Claims keep the names the token gives them ("sub", "role"), not the long SOAP-era URIs.
        jwt.MapInboundClaims = false;
        var parameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = auth.ClockSkew,
            NameClaimType = EngineClaims.Subject,
            RoleClaimType = EngineClaims.Role,
        };

        if (localKeys is not null)
        {
            parameters.ValidIssuer = LocalKeysOptions.Issuer;
            parameters.ValidAudience = LocalKeysOptions.Audience;
            parameters.IssuerSigningKey = LocalTokenIssuer.SigningKey(localKeys);
            parameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }
        else
        {
            parameters.ValidIssuer = auth.Issuer;
            parameters.ValidAudience = auth.Audience;
            parameters.IssuerSigningKeys = auth.SigningKeys.Select(key => new SymmetricSecurityKey(LocalKeyRing.TryDecode(key))).ToList();
            jwt.Authority = auth.Authority;
            if (auth.MetadataAddress is { Length: > 0 } metadata)
            {
                jwt.MetadataAddress = metadata;
            }

            jwt.RequireHttpsMetadata = auth.RequireHttpsMetadata;
        }

        jwt.TokenValidationParameters = parameters;
    }
}
