using CodeMentor.Core.Accounts;
using CodeMentor.Core.Data;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Context;
using CodeMentor.Core.Llm.Pipeline;
using CodeMentor.Core.Llm.Providers;
using CodeMentor.Core.Tokens;
using CodeMentor.Core.Tutoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core;

public static class CodeMentorCoreServiceCollectionExtensions
{
    /// <summary>Default database: a SQLite file under the app's data folder.</summary>
    public const string DefaultConnectionString = "Data Source=App_Data/codementor.db";

    public static IServiceCollection AddCodeMentorCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);

        services.AddDbContextFactory<AppDbContext>(o =>
            o.UseSqlite(configuration.GetConnectionString("CodeMentor") ?? DefaultConnectionString));
        services.AddHostedService<DatabaseInitializer>();

        services.AddScoped<AccountService>();

        services.AddLlm(configuration);

        services.AddSingleton<GenerationRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<GenerationRunner>());
        services.AddSingleton<ConversationService>();
        return services;
    }

    private static IServiceCollection AddLlm(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LlmOptions>().Bind(configuration.GetSection(LlmOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>();
        services.AddSingleton<LlmStatus>();
        services.AddSingleton<TokenCounter>();
        services.AddSingleton<ContextWindow>();
        services.AddHttpClient(LlmProviderFactory.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<LlmProviderFactory>();

        // The pipeline every feature goes through. Order, outermost first:
        // context window (what is sent) → provider.
        services.AddChatClient(sp => sp.GetRequiredService<LlmProviderFactory>().Create(sp.GetRequiredService<LlmStatus>().ProviderName))
            .UseContextWindow();
        return services;
    }
}
