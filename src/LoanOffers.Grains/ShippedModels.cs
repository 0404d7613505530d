using LoanOffers.Scoring.Models;

namespace LoanOffers.Grains;

/// <summary>Finds the repository's <c>models/</c> folder (the two trained demo models) when none is configured.</summary>
internal static class ShippedModels
{
    public static string? Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "models");
                if (Directory.Exists(candidate) && ModelStore.HasModels(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
