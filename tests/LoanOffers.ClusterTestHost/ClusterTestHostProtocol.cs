namespace LoanOffers.ClusterTestHost;

/// <summary>What the host tells the process that started it, on standard output (logs go to standard error).</summary>
public static class ClusterTestHostProtocol
{
    /// <summary>Printed once the silo has joined the cluster, followed by its parsable silo address.</summary>
    public const string ReadyPrefix = "CLUSTER-TEST-HOST READY ";
}
