using System.Runtime.CompilerServices;
using LoanOffers.Domain;

namespace LoanOffers.Grains;

/// <summary>
/// One compiled filter chain per program configuration instance. A batch hands every customer grain of the silo
/// the same immutable configuration object, so the chain is built once per run.
/// </summary>
internal static class FilterChainCache
{
    private static readonly ConditionalWeakTable<ProgramConfig, FilterChain> Chains = [];

    public static FilterChain For(ProgramConfig program) => Chains.GetValue(program, FilterChain.Create);
}
