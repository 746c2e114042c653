using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace CodeMentor.Core.Configuration;

public enum SettingKind
{
    Text,
    WholeNumber,
    Number,
    Boolean,
    Choice,
    Url,
    Secret,
}

/// <summary>One setting: its configuration key, the environment names of the original design that
/// set it (the later one wins), and what values it takes.</summary>
public sealed record Setting(string Key, IReadOnlyList<string> Variables, SettingKind Kind, double Min = 0, double Max = 0,
    IReadOnlyList<string>? Choices = null)
{
    public string Expected => Kind switch
    {
        SettingKind.WholeNumber => $"a whole number from {Min.ToString(CultureInfo.InvariantCulture)} to {Max.ToString("#,0", CultureInfo.InvariantCulture)}",
        SettingKind.Number => $"a number from {Min.ToString(CultureInfo.InvariantCulture)} to {Max.ToString(CultureInfo.InvariantCulture)}",
        SettingKind.Boolean => "true or false",
        SettingKind.Choice => "one of " + string.Join(", ", Choices ?? []),
        SettingKind.Url => "an absolute http:// or https:// URL",
        SettingKind.Secret => "a key without spaces or line breaks",
        _ => "text",
    };
}

/// <summary>Settings that cannot be used, each as one line for the person starting CodeMentor.</summary>
public sealed class InvalidSettingsException(IReadOnlyList<string> problems)
    : Exception("CodeMentor cannot start: " + string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Every setting CodeMentor reads, in one table: the environment aliases are mapped from it, and
/// at startup every value is checked against it before anything is bound, so a wrong value stops
/// the app with one line that names what the user actually set (the environment variable, or the
/// configuration key) and the values allowed — never a stack trace.
/// </summary>
public static class SettingsCatalog
{
    private static Setting Whole(string key, double min, double max, params string[] variables) => new(key, variables, SettingKind.WholeNumber, min, max);
    private static Setting Number(string key, double min, double max, params string[] variables) => new(key, variables, SettingKind.Number, min, max);

    public static readonly IReadOnlyList<string> Providers = ["groq", "openai", "simulator"];

    public static readonly IReadOnlyList<Setting> All =
    [
        new("Llm:Enabled", ["LLM_ENABLED"], SettingKind.Boolean),
        new("Llm:PrimaryProvider", ["LLM_PRIMARY_PROVIDER"], SettingKind.Choice, Choices: Providers),
        new("Llm:FallbackProvider", ["LLM_FALLBACK_PROVIDER"], SettingKind.Choice, Choices: ["groq", "openai"]),
        Whole("Llm:TimeoutSeconds", 1, 600, "GROQ_TIMEOUT", "LLM_TIMEOUT"),
        Whole("Llm:MaxRetries", 0, 10, "GROQ_MAX_RETRIES", "LLM_MAX_RETRIES"),
        Whole("Llm:MaxOutputTokens", 16, 131072, "LLM_MAX_TOKENS"),
        Number("Llm:Temperature", 0, 2, "LLM_TEMPERATURE"),
        Whole("Llm:CacheTtlSeconds", 0, 604800, "LLM_CACHE_TTL"),
        Whole("Llm:Context:MaxMessages", 1, 1000, "LLM_CONTEXT_MAX_MESSAGES"),
        Whole("Llm:Context:MaxTokens", 256, 131072, "LLM_CONTEXT_MAX_TOKENS"),
        Whole("Llm:Context:ModelTokens", 1024, 10000000),
        Whole("Llm:Simulator:TokensPerSecond", 1, 100000, "LLM_SIMULATOR_TOKENS_PER_SECOND"),
        Number("Llm:CheckpointSeconds", 0.2, 60, "LLM_CHECKPOINT_SECONDS"),
        new("Llm:Groq:ApiKey", ["GROQ_API_KEY"], SettingKind.Secret),
        new("Llm:Groq:Model", ["GROQ_MODEL"], SettingKind.Text),
        new("Llm:Groq:Endpoint", ["GROQ_BASE_URL"], SettingKind.Url),
        new("Llm:Groq:ReasoningEffort", ["GROQ_REASONING_EFFORT"], SettingKind.Choice, Choices: ["low", "medium", "high"]),
        new("Llm:OpenAI:Endpoint", ["OPENAI_BASE_URL"], SettingKind.Url),
        new("Llm:OpenAI:ApiKey", ["OPENAI_API_KEY"], SettingKind.Secret),
        new("Llm:OpenAI:Model", ["OPENAI_MODEL"], SettingKind.Text),
        Number("Llm:Resilience:BaseDelaySeconds", 0, 60),
        Number("Llm:Resilience:MaxRetryAfterSeconds", 0, 3600),
        Number("Llm:Resilience:DeadlineSeconds", 1, 3600),
        Number("Llm:Resilience:FailoverRetryDelaySeconds", 0, 60),
        Number("Llm:Resilience:BreakerFailureRatio", 0.01, 1),
        Whole("Llm:Resilience:BreakerMinimumThroughput", 2, 10000),
        Number("Llm:Resilience:BreakerSamplingSeconds", 0.5, 3600),
        Number("Llm:Resilience:BreakerBreakSeconds", 0.5, 3600),
        Number("Llm:Resilience:ProviderHeadroomRatio", 0, 0.5),
        Whole("RateLimits:RequestsPerMinute", 1, 100000, "GROQ_RATE_LIMIT_RPM"),
        Whole("RateLimits:RequestsPerDay", 1, 10000000, "GROQ_RATE_LIMIT_RPD"),
        Whole("RateLimits:DailyTokenBudget", 0, 1000000000),
        new(Data.DatabaseEngine.ProviderKey, ["CODEMENTOR_DB_PROVIDER"], SettingKind.Choice, Choices: ["sqlite", "postgres"]),
        // CODEMENTOR_DB is a SQLite file's path; CODEMENTOR_DB_CONNECTION a whole connection string (PostgreSQL's).
        new("ConnectionStrings:CodeMentor", ["CODEMENTOR_DB", "CODEMENTOR_DB_CONNECTION"], SettingKind.Text),
        // Redis for what several nodes share; unset, everything stays in this process (one node).
        new(SharedState.RedisSettings.ConfigurationKey, ["REDIS_URL"], SettingKind.Text),
        new("Email:PublicUrl", ["CODEMENTOR_PUBLIC_URL"], SettingKind.Url),
        new("Email:From", ["EMAIL_FROM"], SettingKind.Text),
        new("Email:Smtp:Host", ["SMTP_HOST"], SettingKind.Text),
        Whole("Email:Smtp:Port", 1, 65535, "SMTP_PORT"),
        new("Email:Smtp:Username", ["SMTP_USERNAME"], SettingKind.Text),
        new("Email:Smtp:Password", ["SMTP_PASSWORD"], SettingKind.Text), // may contain spaces; Text values are never echoed
        new("Email:Smtp:Security", ["SMTP_SECURITY"], SettingKind.Choice, Choices: ["auto", "starttls", "ssl", "none"]),
        // OpenTelemetry's own variable (its SDK reads it): traces, metrics and logs go there over OTLP.
        new("OTEL_EXPORTER_OTLP_ENDPOINT", [], SettingKind.Url),
        // The GenAI conventions' variable: prompt and reply text on spans only when an admin turns it on.
        new("Telemetry:CaptureMessageContent", ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"], SettingKind.Boolean),
        // Pages drawn on the server for the first paint, then made live by the circuit (App.razor).
        new("Portal:Prerender", ["CODEMENTOR_PRERENDER"], SettingKind.Boolean),
    ];

    /// <summary>Environment name → configuration key (for <see cref="EnvironmentAliases"/>).</summary>
    public static IEnumerable<(string Variable, string Key)> Aliases =>
        All.SelectMany(s => s.Variables.Select(v => (v, s.Key)));

    /// <returns>One line per unusable setting; empty when all is well.</returns>
    public static IReadOnlyList<string> Check(IConfiguration configuration, IReadOnlyDictionary<string, string?>? environment = null)
    {
        environment ??= ReadEnvironment();
        var problems = new List<string>();
        foreach (var setting in All)
        {
            var value = configuration[setting.Key];
            if (string.IsNullOrEmpty(value) || setting.Kind == SettingKind.Text)
            {
                continue;
            }
            if (Problem(setting, value) is { } problem)
            {
                var shown = setting.Kind == SettingKind.Secret ? "" : $"; it is '{value}'";
                problems.Add($"{NameUsed(setting, environment)} must be {setting.Expected}{shown}. {problem}".TrimEnd());
            }
        }
        if (DatabaseProblem(configuration) is { } database)
        {
            problems.Add(database);
        }
        try
        {
            SharedState.RedisSettings.From(configuration);
        }
        catch (ArgumentException ex)
        {
            problems.Add(ex.Message); // never the value: it may hold Redis's password
        }
        return problems;
    }

    /// <summary>PostgreSQL needs a connection string it can parse. The string is never echoed: it holds a password.</summary>
    private static string? DatabaseProblem(IConfiguration configuration)
    {
        if (Data.DatabaseEngine.ParseProvider(configuration[Data.DatabaseEngine.ProviderKey]) != Data.DatabaseProvider.Postgres)
        {
            return null;
        }
        var connectionString = configuration.GetConnectionString(Data.DatabaseEngine.ConnectionStringName);
        // "Data Source=…" is SQLite's form: the shipped default (appsettings.json) or CODEMENTOR_DB's path.
        if (string.IsNullOrWhiteSpace(connectionString) || connectionString.TrimStart().StartsWith("Data Source=", StringComparison.OrdinalIgnoreCase))
        {
            return Data.PostgresEngine.MissingConnectionString;
        }
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrEmpty(builder.Host)
                ? "CODEMENTOR_DB_CONNECTION must name the PostgreSQL server (Host=…). CODEMENTOR_DB takes a SQLite file's path only."
                : null;
        }
        catch (ArgumentException ex)
        {
            return $"CODEMENTOR_DB_CONNECTION is not a PostgreSQL connection string: {ex.Message}";
        }
    }

    private static string? Problem(Setting setting, string value)
    {
        switch (setting.Kind)
        {
            case SettingKind.WholeNumber:
                return long.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole)
                    && whole >= setting.Min && whole <= setting.Max ? null : "";
            case SettingKind.Number:
                return double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    && double.IsFinite(number) && number >= setting.Min && number <= setting.Max ? null : "";
            case SettingKind.Boolean:
                return bool.TryParse(value.Trim(), out _) ? null : "";
            case SettingKind.Choice:
                return setting.Choices!.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase) ? null
                    : value.Trim().Equals("simulator", StringComparison.OrdinalIgnoreCase) && setting.Key == "Llm:FallbackProvider"
                        ? "The simulator never stands in for a provider that failed; use openai (e.g. a local Ollama) or leave it empty."
                        : "";
            case SettingKind.Url:
                return Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                    ? null : "";
            case SettingKind.Secret:
                return value.Any(char.IsWhiteSpace) ? "Copy it again without spaces or line breaks." : null;
            default:
                return null;
        }
    }

    /// <summary>The name the user set: the winning environment alias, the key written with
    /// double underscores in the environment, or the configuration key (appsettings.json, --Key=…).</summary>
    private static string NameUsed(Setting setting, IReadOnlyDictionary<string, string?> environment)
    {
        var alias = setting.Variables.LastOrDefault(v => !string.IsNullOrEmpty(environment.GetValueOrDefault(v)));
        if (alias is not null)
        {
            return alias;
        }
        var underscored = setting.Key.Replace(":", "__");
        return environment.Keys.FirstOrDefault(k => k.Equals(underscored, StringComparison.OrdinalIgnoreCase)) ?? setting.Key;
    }

    private static Dictionary<string, string?> ReadEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = entry.Value as string;
        }
        return result;
    }
}
