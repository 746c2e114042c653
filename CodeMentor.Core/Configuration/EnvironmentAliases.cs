using Microsoft.Extensions.Configuration;

namespace CodeMentor.Core.Configuration;

/// <summary>Maps the flat environment names of the original design (GROQ_API_KEY, LLM_TIMEOUT, ...)
/// onto the structured configuration keys the options are bound from (the table is <see cref="SettingsCatalog"/>).</summary>
public static class EnvironmentAliases
{
    /// <summary>Environment name → configuration key, from <see cref="SettingsCatalog"/>. Where two
    /// names map to one key (GROQ_TIMEOUT and LLM_TIMEOUT), the one listed later wins.</summary>
    public static IReadOnlyList<(string Variable, string Key)> Map { get; } = SettingsCatalog.Aliases.ToList();

    /// <summary>Adds the aliases as a configuration source read from the given variables
    /// (the process environment by default).</summary>
    public static IConfigurationBuilder AddEnvironmentAliases(
        this IConfigurationBuilder builder, IReadOnlyDictionary<string, string?>? variables = null)
    {
        var source = variables ?? ReadProcessEnvironment();
        var mapped = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key) in Map)
        {
            if (source.TryGetValue(variable, out var value) && !string.IsNullOrEmpty(value))
            {
                mapped[key] = variable == "CODEMENTOR_DB" ? $"Data Source={value}" : value;
            }
        }
        return builder.AddInMemoryCollection(mapped);
    }

    private static Dictionary<string, string?> ReadProcessEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (variable, _) in Map)
        {
            result[variable] = Environment.GetEnvironmentVariable(variable);
        }
        return result;
    }
}
