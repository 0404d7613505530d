using LoanOffers.Abstractions;
using Orleans;

namespace LoanOffers.Grains;

/// <summary>A program as the reports read it: its id, its tiers in the order its strategy names them, and its kept runs.</summary>
public sealed record ProgramBook(string ProgramId, IReadOnlyList<string> Tiers, IReadOnlyList<RunStatus> Runs)
{
    /// <summary>Every program in the catalog, with its tiers and runs.</summary>
    public static async Task<IReadOnlyList<ProgramBook>> ReadAllAsync(IGrainFactory grains)
    {
        var books = new List<ProgramBook>();
        foreach (var program in await grains.GetGrain<IProgramCatalogGrain>(IProgramCatalogGrain.Key).List())
        {
            var grain = grains.GetGrain<IProgramGrain>(program.ProgramId);
            var tiers = (await grain.GetConfig())?.LoanOfferStrategy.Segments.Select(segment => segment.CreditTier).ToList() ?? [];
            books.Add(new ProgramBook(program.ProgramId, tiers, await grain.GetRuns()));
        }

        return books;
    }
}
