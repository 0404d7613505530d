using LoanOffers.Delivery.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LoanOffers.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    /// <summary>Offer email delivery, configured from <c>Delivery</c> and <c>Delivery:Smtp</c>.</summary>
    public static IServiceCollection AddOfferDelivery(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>();
        services.AddSingleton<OfferMailer>();
        return services;
    }
}
