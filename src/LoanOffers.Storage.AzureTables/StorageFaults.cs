using System.Net.Sockets;
using Azure;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using Orleans.Storage;

namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// Tells a passing fault (storage or a silo unreachable, a timeout, throttling) from one that stays, and says what
/// happened in one readable line. Orleans wraps a provider's failure in an exception whose message carries a whole
/// diagnostic dump, so both look through the wrappers to the cause.
/// </summary>
public static class StorageFaults
{
    private const int MaxDescriptionLength = 200;

    /// <summary>Whether the failure passes by itself: storage or a silo briefly unreachable, slow or throttling.</summary>
    public static bool IsTransient(Exception failure) => Causes(failure).Any(IsTransientCause);

    /// <summary>
    /// Whether a batch should pause and redo the work from its checkpoint: a transient fault, or a lost concurrency
    /// check, which after a timed-out write means the write may have landed after all; the redo reads the row again.
    /// </summary>
    public static bool IsRetryableInBatch(Exception failure) =>
        IsTransient(failure) || Causes(failure).Any(cause => cause is InconsistentStateException);

    /// <summary>One line naming the cause, without stack traces, dumps or inner messages; at most 200 characters.</summary>
    public static string Describe(Exception failure)
    {
        var cause = Causes(failure).LastOrDefault(cause => cause is not AggregateException && !IsWrapper(cause)) ?? failure;
        var firstLine = cause.Message.Split('\n', 2)[0].Trim();
        var text = cause is StorageUnavailableException ? firstLine
            : IsTransient(failure) ? $"Storage or cluster unreachable ({cause.GetType().Name}): {firstLine}"
            : $"{cause.GetType().Name}: {firstLine}";
        return text.Length <= MaxDescriptionLength ? text : text[..(MaxDescriptionLength - 1)] + "…";
    }

    private static bool IsTransientCause(Exception cause) => cause switch
    {
        RequestFailedException request => request.Status is 0 or 408 or 429 or 500 or 502 or 503 or 504,
        // Not IOException at large: a missing or unreadable file stays missing however long the run waits.
        HttpRequestException or SocketException or TimeoutException or TaskCanceledException => true,
        StorageUnavailableException or SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException => true,
        _ => false,
    };

    /// <summary>Orleans' storage bridge and activation wrappers, whose own message is a dump of the inner one.</summary>
    private static bool IsWrapper(Exception exception) =>
        exception.GetType() == typeof(OrleansException) && exception.InnerException is not null;

    /// <summary>The failure and everything it wraps, outermost first, depth-bounded against cycles.</summary>
    private static IEnumerable<Exception> Causes(Exception failure)
    {
        var pending = new Queue<(Exception Exception, int Depth)>([(failure, 0)]);
        while (pending.TryDequeue(out var item))
        {
            yield return item.Exception;
            if (item.Depth >= 8)
            {
                continue;
            }

            if (item.Exception is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Enqueue((inner, item.Depth + 1));
                }
            }
            else if (item.Exception.InnerException is { } inner)
            {
                pending.Enqueue((inner, item.Depth + 1));
            }
        }
    }
}

/// <summary>Storage (or the silo doing the work) was unreachable for a while; the caller may retry the same work later.</summary>
public sealed class StorageUnavailableException(string message) : Exception(message);
