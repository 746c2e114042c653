using System.Net;
using System.Text.Json;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Telemetry;
using CodeMentor.Web.OpenAiApi;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CodeMentor.Web.Observability;

/// <summary>
/// OpenTelemetry traces, metrics and logs, the way .NET services publish them: exported over OTLP
/// when the standard OTEL_EXPORTER_OTLP_ENDPOINT is set, metrics also scrapeable in Prometheus
/// format at /metrics (admins or the local network only), and health at /health/live and /health/ready.
/// </summary>
public static class ObservabilityExtensions
{
    public const string MetricsPath = "/metrics";
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string MetricsReadersPolicy = "MetricsReaders";
    private const string ReadyTag = "ready";

    public static WebApplicationBuilder AddCodeMentorObservability(this WebApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var services = builder.Services;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("codementor", serviceVersion: typeof(ObservabilityExtensions).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(CodeMentorTelemetry.MeterName, CodeMentorTelemetry.GenAiSourceName)
                .AddPrometheusExporter());

        // What a trace holds, whoever collects it (OTLP here, an in-memory exporter in the tests):
        // spans are only made when some exporter is listening.
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(CodeMentorTelemetry.GenAiSourceName)
            .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
            .AddHttpClientInstrumentation()
            .AddEntityFrameworkCoreInstrumentation());
        if (otlp)
        {
            telemetry.WithTracing(_ => { }).WithLogging();
            builder.Logging.AddOpenTelemetry(o =>
            {
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
            });
            telemetry.UseOtlpExporter();
        }

        var health = services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", HealthStatus.Unhealthy, [ReadyTag])
            .AddCheck<LlmProviderHealthCheck>("llm-provider", HealthStatus.Degraded, [ReadyTag]);
        if (Core.SharedState.RedisSettings.From(builder.Configuration) is not null)
        {
            health.AddCheck<RedisHealthCheck>("redis", HealthStatus.Unhealthy, [ReadyTag]);
        }

        // A signed-in admin (site cookie) or an admin's API key (what a remote Prometheus sends as its bearer credentials).
        services.AddAuthorizationBuilder().AddPolicy(MetricsReadersPolicy, policy => policy
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, ApiKeyAuthenticationHandler.SchemeName)
            .RequireAssertion(context => context.User.IsInRole(Roles.Admin) || (context.Resource is HttpContext http && IsLocalNetwork(http))));
        return builder;
    }

    public static WebApplication MapCodeMentorObservability(this WebApplication app)
    {
        // Live: the process answers. Ready: the database answers (the provider chain is reported, degraded at worst).
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealthAsync });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteHealthAsync });
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(MetricsReadersPolicy);
        return app;
    }

    internal static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments(MetricsPath);

    /// <summary>A scraper on this machine or a private network, talking to Kestrel directly. A request
    /// that came through a reverse proxy (it says so in a forwarding header) is not local, whoever sent it.</summary>
    internal static bool IsLocalNetwork(HttpContext http)
    {
        if (http.Request.Headers.ContainsKey("X-Forwarded-For") || http.Request.Headers.ContainsKey("Forwarded"))
        {
            return false;
        }
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return false;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6UniqueLocal)
        {
            return true;
        }
        var bytes = address.GetAddressBytes();
        return bytes.Length == 4 && (bytes[0] == 10 || (bytes[0] == 172 && bytes[1] is >= 16 and <= 31) || (bytes[0] == 192 && bytes[1] == 168));
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data.Count > 0 ? e.Value.Data : null,
            }),
        }, JsonOptions, context.RequestAborted);
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
