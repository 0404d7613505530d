using System.Diagnostics;
using System.Globalization;
using LoanOffers.Abstractions;
using LoanOffers.Delivery;
using LoanOffers.Domain;
using LoanOffers.Storage.AzureTables;
using LoanOffers.Testing;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;

namespace LoanOffers.Benchmarks;

/// <summary>
/// A run's email campaign through the outbox (queue, contact policy per customer, compose, send, mark) to the engine's
/// own loopback SMTP server, beside the floor measured in the same run: a plain MailKit loop sending as many composed
/// messages to the same server over the same number of connections.
/// </summary>
public static class DeliveryBenchmark
{
    /// <summary>Seed 000's program offers about 22% of its synthetic customers, and some opted out of email.</summary>
    private const double CustomersPerMessage = 5.0;

    public static async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        var messages = arguments.Int("messages", 50_000);

        // As many SMTP connections as the campaign keeps messages in flight; the floor uses the same number.
        var connections = arguments.Int("connections", 16);
        var customers = (int)(messages * CustomersPerMessage);
        var mail = Directory.CreateTempSubdirectory("loanoffers-bench-mail").FullName;
        await using var azurite = await AzuriteEmulator.StartAsync();
        Console.WriteLine($"delivery benchmark: a campaign of about {messages:N0} emails from a run over {customers:N0} customers, Azurite on port {azurite.Port}, mail in {mail}");
        try
        {
            await using var app = await EngineHost.StartAsync(
                azurite.ConnectionString, AzuriteEmulator.FreeLoopbackPort(), ("Delivery:MailDropDirectory", mail), ("Delivery:Smtp:Connections", connections.ToString(CultureInfo.InvariantCulture)));

            // Seed 000's program with its email channel only: the campaign is one email per offered customer.
            var run = await EngineHost.RunDemoBatchAsync(app, customers, shape: program => program with
            {
                Channels = [.. program.Channels.Where(channel => channel.Type == ChannelTypes.Email)],
            });
            if (run.State != RunState.Completed)
            {
                Console.Error.WriteLine($"run {run.RunId} ended {run.State}: {run.LastError}");
                return 1;
            }

            var cpu = new CpuMeter(azurite);
            var campaign = app.Services.GetRequiredService<IGrainFactory>().GetGrain<ICampaignGrain>($"{run.ProgramId}/{run.RunId}");
            var stopwatch = Stopwatch.StartNew();
            var progress = await campaign.Start(sendNow: true);
            while (progress.Status == CampaignStatuses.Running)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
                progress = await campaign.GetProgress();
            }

            var campaignSeconds = stopwatch.Elapsed.TotalSeconds;
            var campaignCpu = cpu.Lap();
            var funnel = await app.Services.GetRequiredService<FunnelLedger>().SegmentsAsync(run.ProgramId, run.RunId, []);
            var sent = funnel.Where(segment => segment.Channel == "email").Sum(segment => segment.Delivered);
            var bounced = funnel.Where(segment => segment.Channel == "email").Sum(segment => segment.Bounced);
            var texts = funnel.Where(segment => segment.Channel == "sms").Sum(segment => segment.Sent);
            var files = Directory.GetFiles(mail, "*.eml").Length;
            Console.WriteLine($"campaign: {sent:N0} emails and {texts:N0} texts sent, {bounced:N0} bounced, {progress.Messages.GetValueOrDefault(OutboxStatuses.Suppressed):N0} suppressed, {progress.Messages.GetValueOrDefault(OutboxStatuses.Parked):N0} parked in {campaignSeconds:F1} s = {sent / campaignSeconds:N0} emails/s; {files:N0} messages in the mail drop (CPU: engine {campaignCpu.Engine:F1} s, Azurite {campaignCpu.Azurite:F1} s)");
            var outbox = app.Services.GetRequiredService<Outbox>();
            foreach (var status in new[] { OutboxStatuses.Bounced, OutboxStatuses.Parked })
            {
                foreach (var (reason, count) in await outbox.ReasonsAsync(run.ProgramId, run.RunId, status))
                {
                    Console.WriteLine($"  {status} x{count}: {reason}");
                }
            }

            // The floor sends the very messages the campaign sent (as the server kept them, under new Message-IDs so they are
            // kept beside them), read into memory first, so it pays for the SMTP exchange only.
            var mailer = app.Services.GetRequiredService<OfferMailer>();
            var smtp = app.Services.GetRequiredService<IOptions<Delivery.Smtp.SmtpOptions>>().Value;
            var kept = new List<MimeMessage>();
            foreach (var path in Directory.GetFiles(mail, "*.eml"))
            {
                var message = await MimeMessage.LoadAsync(path);
                message.MessageId = "floor." + message.MessageId;
                kept.Add(message);
            }

            stopwatch.Restart();
            await PlainMailKitLoopAsync(mailer.MailDrop!.Port, smtp.Connections, kept);
            var floorSeconds = stopwatch.Elapsed.TotalSeconds;
            var floorCpu = cpu.Lap();
            Console.WriteLine($"floor (plain MailKit loop, {smtp.Connections} connections, same server, the same messages): {kept.Count:N0} in {floorSeconds:F1} s = {kept.Count / floorSeconds:N0} emails/s (CPU: engine {floorCpu.Engine:F1} s)");

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"messages={sent} campaign_s={campaignSeconds:F2} campaign_per_s={sent / campaignSeconds:F0} floor_s={floorSeconds:F2} floor_per_s={kept.Count / floorSeconds:F0} campaign_to_floor={sent / campaignSeconds / (kept.Count / floorSeconds):F2} received={files} lost={sent - files} campaign_engine_cpu_s={campaignCpu.Engine:F1} campaign_azurite_cpu_s={campaignCpu.Azurite:F1} floor_engine_cpu_s={floorCpu.Engine:F1}"));
            return 0;
        }
        finally
        {
            Directory.Delete(mail, recursive: true);
        }
    }

    /// <summary>
    /// Sends <paramref name="messages"/> over <paramref name="connections"/> connections, each its own share in turn;
    /// a connection the server drops is opened again, and a message it refuses for the moment (4xx) sent again, as any
    /// client does.
    /// </summary>
    private static async Task PlainMailKitLoopAsync(int port, int connections, IReadOnlyList<MimeMessage> messages)
    {
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async connection =>
        {
            var client = new SmtpClient();
            try
            {
                for (var i = connection; i < messages.Count; i += connections)
                {
                    var message = messages[i];
                    while (true)
                    {
                        try
                        {
                            if (!client.IsConnected)
                            {
                                await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
                            }

                            await client.SendAsync(message);
                            break;
                        }
                        catch (SmtpCommandException passing) when ((int)passing.StatusCode is >= 400 and < 500)
                        {
                            // A local, passing error of the server: the message is sent again on the same connection.
                        }
                        catch (SmtpCommandException refused) when ((int)refused.StatusCode >= 500)
                        {
                            // Refused for good, as the campaign counts a bounce: the loop goes on with the next message.
                            break;
                        }
                        catch (Exception dropped) when (dropped is SmtpProtocolException or IOException)
                        {
                            client.Dispose();
                            client = new SmtpClient();
                        }
                    }
                }

                await client.DisconnectAsync(quit: true);
            }
            finally
            {
                client.Dispose();
            }
        }));
    }
}
