using System.Net.Sockets;
using Azure;
using Orleans.Runtime;
using Orleans.Storage;

namespace LoanOffers.Storage.AzureTables.Tests;

public sealed class StorageFaultsTests
{
    /// <summary>What Orleans' storage bridge throws: its own exception around the provider's, with a dump as message.</summary>
    private static OrleansException Wrapped(Exception cause) =>
        new($"Error from storage provider customers during WriteStateAsync for grain customer/C1{Environment.NewLine} {new string('x', 3000)}", cause);

    [Fact]
    public void Unreachable_storage_behind_orleans_wrappers_is_transient_and_described_in_one_short_line()
    {
        var unreachable = new AggregateException("Retry failed after 6 tries.",
            new RequestFailedException(0, "Connection refused (127.0.0.1:10002)", new HttpRequestException("Connection refused", new SocketException())));

        var failure = Wrapped(unreachable);

        Assert.True(StorageFaults.IsTransient(failure));
        var description = StorageFaults.Describe(failure);
        Assert.StartsWith("Storage or cluster unreachable", description);
        Assert.DoesNotContain('\n', description);
        Assert.True(description.Length <= 200, description);
        Assert.DoesNotContain("xxxx", description);
    }

    [Theory]
    [InlineData(503, true)]
    [InlineData(429, true)]
    [InlineData(408, true)]
    [InlineData(400, false)]
    [InlineData(404, false)]
    public void Service_answers_are_transient_only_when_retrying_can_help(int status, bool transient) =>
        Assert.Equal(transient, StorageFaults.IsTransient(Wrapped(new RequestFailedException(status, "answer"))));

    [Fact]
    public void A_lost_concurrency_check_is_redone_in_a_batch_but_is_not_an_outage()
    {
        var conflict = new InconsistentStateException("ETag mismatch", "e1", "e2");

        Assert.False(StorageFaults.IsTransient(conflict));
        Assert.True(StorageFaults.IsRetryableInBatch(conflict));
    }

    [Fact]
    public void A_lasting_fault_names_its_type_and_first_line()
    {
        var failure = new FileNotFoundException("The csv connector's file 'book.csv' does not exist in the data directory.\nsecond line");

        Assert.False(StorageFaults.IsRetryableInBatch(failure));
        Assert.Equal("FileNotFoundException: The csv connector's file 'book.csv' does not exist in the data directory.", StorageFaults.Describe(failure));
    }
}
