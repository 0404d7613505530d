using LoanOffers.Delivery.Sms;
using LoanOffers.Delivery.Smtp;
using LoanOffers.Delivery.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LoanOffers.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    /// <summary>Offer delivery (email, SMS, tracking links), configured from <c>Delivery</c>, <c>Delivery:Smtp</c> and <c>Delivery:Sms</c>.</summary>
    public static IServiceCollection AddOfferDelivery(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>();
        services.AddOptions<SmsOptions>().BindConfiguration(SmsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmsOptions>, SmsOptionsValidator>();
        services.AddSingleton<OfferMailer>();
        services.AddSingleton<OfferTexter>();
        services.AddSingleton(provider => DeliveryKeysFactory.Create(provider.GetRequiredService<IOptions<DeliveryOptions>>()));
        services.AddSingleton<TrackingLinks>();
        return services;
    }
}
