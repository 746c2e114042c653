using CodeMentor.Core.Accounts;
using CodeMentor.Core.Data;
using CodeMentor.Core.Insights;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Context;
using CodeMentor.Core.Llm.Pipeline;
using CodeMentor.Core.Llm.Providers;
using CodeMentor.Core.Llm.Resilience;
using CodeMentor.Core.Llm.Routing;
using CodeMentor.Core.RateLimiting;
using CodeMentor.Core.SharedState;
using CodeMentor.Core.Usage;
using CodeMentor.Core.Telemetry;
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
    public static IServiceCollection AddCodeMentorCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<CodeMentorMetrics>();
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.SectionName));

        // Pooled: a chat turn creates several short-lived contexts.
        var engine = DatabaseEngine.FromConfiguration(configuration);
        services.AddSingleton(engine);
        services.AddPooledDbContextFactory<AppDbContext>(engine.Configure);
        services.AddSingleton<OrphanedReplies>();
        services.AddHostedService<DatabaseInitializer>();
        if (engine.Provider == DatabaseProvider.Sqlite)
        {
            // Started after the database exists; stopped after the writer has drained, for a last checkpoint.
            services.AddSingleton<SqliteCheckpointer>();
            services.AddHostedService(sp => sp.GetRequiredService<SqliteCheckpointer>());
        }
        // The one batched writer of chat turns, replies and the ledger. Registered before the
        // services that write through it, so it stops after them and drains what they queued.
        services.AddSingleton<DatabaseWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseWriter>());
        // After the database's start: the node's heartbeat and the sweep for stopped nodes need its tables.
        services.AddCodeMentorSharedState(configuration);

        services.AddScoped<AccountService>();
        services.AddScoped<AdminService>();
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<UsageQueries>();
        services.AddSingleton<UsageSeeder>();
        services.AddSingleton<InsightEngine>();
        services.AddSingleton<ExecutiveSummaryService>();

        services.AddLlm(configuration);

        services.AddSingleton<GenerationRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<GenerationRunner>());
        services.AddSingleton<ConversationStore>();
        services.AddSingleton<ConversationService>();
        services.AddSingleton<Courses.CourseService>();
        services.AddSingleton<Courses.ConversationSharing>();
        services.AddSingleton<Courses.CourseInsights>();
        services.AddSingleton<Courses.CourseWeekSummary>();
        services.AddSingleton<Courses.Material.TextEmbedder>();
        services.AddSingleton<Courses.Material.CourseMaterialLibrary>();
        services.AddSingleton<Courses.Material.MaterialIngestion>();
        services.AddHostedService(sp => sp.GetRequiredService<Courses.Material.MaterialIngestion>());
        services.AddSingleton<Courses.Material.CourseRetrieval>();
        services.AddSingleton<LearnerData>();
        services.AddSingleton<LearnerProfiles>();
        services.AddSingleton<Tutoring.Reviews.CodeReviewService>();
        services.AddSingleton<Tutoring.Exercises.ExerciseService>();
        services.AddSingleton<Tutoring.OnboardingService>();
        services.AddSingleton<ConceptService>();
        services.AddSingleton<Tutoring.Api.TutorApi>();
        return services;
    }

    private static IServiceCollection AddLlm(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LlmOptions>().Bind(configuration.GetSection(LlmOptions.SectionName))
            .PostConfigure(o => Features.ApplyModels(o, groqModelConfigured: !string.IsNullOrWhiteSpace(configuration["Llm:Groq:Model"])))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>();
        services.AddSingleton<LlmStatus>();
        services.AddSingleton<TokenCounter>();
        services.AddSingleton<ContextWindow>();
        services.AddHttpClient(LlmProviderFactory.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<LlmProviderFactory>();
        foreach (var name in ProviderNames.All.Append(LlmStatus.NoProvider))
        {
            services.AddKeyedSingleton<IChatClient>(name, (sp, key) => sp.GetRequiredService<LlmProviderFactory>().Create((string)key!));
        }
        services.AddSingleton<ProviderRegistry>();
        services.AddSingleton<ProviderFailoverChatClient>();

        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.SectionName))
            .Validate(o => o.RequestsPerMinute >= 1 && o.RequestsPerDay >= 1 && o.DailyTokenBudget is null or >= 0,
                "GROQ_RATE_LIMIT_RPM and GROQ_RATE_LIMIT_RPD (RateLimits) must be at least 1, and RateLimits:DailyTokenBudget 0 or more.")
            .ValidateOnStart();
        services.AddSingleton<IUsageToday, LedgerUsageToday>();
        services.AddSingleton<UserRateLimiter>();
        services.AddSingleton<Courses.ICourseUsageHistory, LedgerCourseUsage>();
        services.AddSingleton<Courses.CourseBudgets>();
        services.AddSingleton<DatabaseUserLimits>();
        services.AddSingleton<IUserLimitsSource>(sp => sp.GetRequiredService<DatabaseUserLimits>());

        services.AddOptions<PricingOptions>().Bind(configuration.GetSection(PricingOptions.SectionName));
        services.AddSingleton<PricingTable>();
        services.AddSingleton<LedgerWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<LedgerWriter>());
        services.AddSingleton<Usage.RefusalLedger>();

        services.AddHybridCache();

        // The pipeline every feature (and the hub) goes through. Order, outermost first:
        // 1. usage ledger: sees every call, refusals and cache hits included, and times all of it;
        // 2. course policy: a course with the tutor off refuses before any work (and before the quota is counted);
        //    otherwise its mode joins the system prompt;
        // 3. course budgets: a course (or the learner's share of it) used up for the period refuses before any work;
        //    tokens count against it, and the ledger row names the course;
        // 4. user rate limits: refuse before any work is done, so a refusal costs nothing;
        // 5. course material: chat and concept questions in a course with material get the passages retrieved for
        //    them to answer from and cite (or are told the course does not cover them); the stream says which;
        // 6. routing: the feature picks model, options and provider chain (the cache key depends on them);
        // 7. context window: decides what is actually sent (the cache key is over the windowed messages);
        // 8. response cache: a hit never reaches a provider;
        // 9. failover over resilient providers (retry, circuit breaker, deadline, Groq's own limits).
        services.AddChatClient(sp => sp.GetRequiredService<ProviderFailoverChatClient>())
            .UseUsageLedger()
            .UseCoursePolicy()
            .UseCourseBudgets()
            .UseUserRateLimits()
            .UseCourseMaterial()
            .UseRouting()
            .UseContextWindow()
            .UseResponseCache();
        return services;
    }
}
