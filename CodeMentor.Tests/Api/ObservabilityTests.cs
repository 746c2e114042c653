using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CodeMentor.Core.Data;
using CodeMentor.Core.Telemetry;
using CodeMentor.Tests.Support;
using CodeMentor.Web.Observability;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenAI;
using OpenAI.Chat;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CodeMentor.Tests.Api;

/// <summary>Traces and metrics (OpenTelemetry's in-memory exporter), the Prometheus scrape (parsed by
/// Debian's promtool) and the health endpoints, on the real app with the fake Groq server behind it.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class ObservabilityTests
{
    private const string Question = "What is a loop, secretly-learner-text-7731?";
    private const string Reply = "A loop repeats code: reply-text-4412.";

    private static async Task<(KestrelPortal Portal, ExportedItems<Activity> Spans, ExportedItems<Metric> Metrics, string Key)> StartAsync(
        Dictionary<string, string?>? settings = null)
    {
        var spans = new ExportedItems<Activity>();
        var metrics = new ExportedItems<Metric>();
        var portal = await KestrelPortal.StartAsync(settings, services => services.AddOpenTelemetry()
            .WithTracing(t => t.AddInMemoryExporter(spans))
            .WithMetrics(m => m.AddInMemoryExporter(metrics)));
        portal.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply(Reply, promptTokens: 42));
        var key = await portal.CreateKeyAsync(await portal.RegisterAsync("ada@example.org"));
        return (portal, spans, metrics, key);
    }

    private static ChatClient Chat(KestrelPortal portal, string key) => new("codementor-tutor", new ApiKeyCredential(key),
        new OpenAIClientOptions { Endpoint = new Uri(portal.BaseUri, "v1"), RetryPolicy = new ClientRetryPolicy(0) });

    [Fact]
    public async Task A_model_call_makes_a_gen_ai_span_and_metrics_and_no_learner_text_leaves_by_default()
    {
        var (portal, spans, metrics, key) = await StartAsync();
        await using var _ = portal;
        await Chat(portal, key).CompleteChatAsync([new UserChatMessage(Question)]);
        await Chat(portal, key).CompleteChatAsync([new UserChatMessage(Question)]); // the same again: a cache hit

        // Spans are exported as they end, some after the response (the ledger's writes): read copies.
        await Eventually.TrueAsync(() => spans.Snapshot().Count(s => s.Kind == ActivityKind.Server && s.DisplayName == "POST /v1/chat/completions") == 2,
            "both requests' spans are exported");
        var exported = spans.Snapshot();
        var call = exported.Single(s => s.Source.Name == CodeMentorTelemetry.GenAiSourceName);
        Assert.Equal("chat", call.GetTagItem("gen_ai.operation.name"));
        Assert.Equal(GroqStream.Model, call.GetTagItem("gen_ai.request.model"));
        Assert.Equal("groq", call.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(42, Convert.ToInt32(call.GetTagItem("gen_ai.usage.input_tokens")));
        Assert.True(Convert.ToInt32(call.GetTagItem("gen_ai.usage.output_tokens")) > 0);
        // The provider call is a child of the API request's span, with the HTTP call to Groq under it.
        Assert.Contains(exported, s => s.Kind == ActivityKind.Server && s.DisplayName == "POST /v1/chat/completions" && s.TraceId == call.TraceId);
        Assert.Contains(exported, s => s.Kind == ActivityKind.Client && s.ParentSpanId == call.SpanId);

        foreach (var span in exported)
        {
            var text = string.Join(" ", span.TagObjects.Select(t => t.Value?.ToString())
                .Concat(span.Events.SelectMany(e => e.Tags.Select(t => t.Value?.ToString()))));
            Assert.DoesNotContain("secretly-learner-text", text);
            Assert.DoesNotContain("reply-text-4412", text);
        }

        portal.Services.GetRequiredService<MeterProvider>().ForceFlush();
        var names = metrics.Snapshot().Select(m => m.Name).ToHashSet();
        Assert.Contains("gen_ai.client.token.usage", names);
        Assert.Contains("gen_ai.client.operation.duration", names);
        Assert.Contains("codementor.llm.pipeline.overhead", names);
        Assert.Equal(1, Sum(metrics, "codementor.llm.cache.hits"));
        Assert.Equal(2, Sum(metrics, "codementor.llm.call.outcomes"));
    }

    [Fact]
    public async Task Prompt_and_reply_text_are_exported_only_when_an_admin_turns_it_on()
    {
        var (portal, spans, _, key) = await StartAsync(new() { ["Telemetry:CaptureMessageContent"] = "true" });
        await using var _ = portal;
        await Chat(portal, key).CompleteChatAsync([new UserChatMessage(Question)]);

        await Eventually.TrueAsync(() => spans.Snapshot().Any(s => s.Source.Name == CodeMentorTelemetry.GenAiSourceName), "the gen_ai span is exported");
        var call = spans.Snapshot().Single(s => s.Source.Name == CodeMentorTelemetry.GenAiSourceName);
        var exported = string.Join(" ", call.TagObjects.Select(t => t.Value?.ToString()).Concat(call.Events.SelectMany(e => e.Tags.Select(t => t.Value?.ToString()))));
        Assert.Contains("secretly-learner-text-7731", exported);
        Assert.Contains("reply-text-4412", exported);
    }

    [Fact]
    public async Task The_prometheus_scrape_parses_with_promtool_and_is_for_the_local_network_or_admins_only()
    {
        var (portal, _, _, key) = await StartAsync();
        await using var _ = portal;
        await Chat(portal, key).CompleteChatAsync([new UserChatMessage(Question)]);
        using var http = portal.CreateClient();

        var scrape = await http.GetStringAsync("metrics");
        Assert.Contains("gen_ai_client_token_usage", scrape);
        Assert.Contains("codementor_llm_call_outcomes_total", scrape);
        var check = await ExternalProcess.RunAsync("promtool", "check metrics", input: scrape);
        // Exit 0: clean; 3: parsed, with naming advice. Advice is allowed only for .NET's own runtime
        // metrics (OpenTelemetry's names, e.g. dotnet.assembly.count); CodeMentor's must be clean.
        Assert.True(check.ExitCode is 0 or 3, check.Output + check.Error);
        Assert.DoesNotContain("error", check.Output + check.Error, StringComparison.OrdinalIgnoreCase);
        Assert.All((check.Output + check.Error).Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("dotnet_", line));

        // Through a reverse proxy (it says so) the scrape is refused without an admin's credentials.
        using var proxied = new HttpRequestMessage(HttpMethod.Get, "metrics") { Headers = { { "X-Forwarded-For", "203.0.113.9" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(proxied)).StatusCode);
        // An admin's API key is what a remote Prometheus sends (ada registered first: she is the admin); a learner's is not enough.
        using var admin = new HttpRequestMessage(HttpMethod.Get, "metrics") { Headers = { { "X-Forwarded-For", "203.0.113.9" }, { "Authorization", "Bearer " + key } } };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(admin)).StatusCode);
        var learnerKey = await portal.CreateKeyAsync(await portal.RegisterAsync("grace@example.org"));
        using var learner = new HttpRequestMessage(HttpMethod.Get, "metrics") { Headers = { { "X-Forwarded-For", "203.0.113.9" }, { "Authorization", "Bearer " + learnerKey } } };
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(learner)).StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.20.0.5", true)]
    [InlineData("192.168.1.10", true)]
    [InlineData("::ffff:192.168.1.10", true)]
    [InlineData("fd00::5", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("203.0.113.9", false)]
    [InlineData("2001:db8::1", false)]
    public void Only_loopback_and_private_addresses_count_as_the_local_network(string address, bool local)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse(address);
        Assert.Equal(local, ObservabilityExtensions.IsLocalNetwork(http));
        http.Request.Headers["X-Forwarded-For"] = "127.0.0.1";
        Assert.False(ObservabilityExtensions.IsLocalNetwork(http));
    }

    [Fact]
    public async Task Health_reports_the_database_and_the_provider_chain_without_calling_the_model()
    {
        var (portal, _, _, _) = await StartAsync();
        await using var _ = portal;
        using var http = portal.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/live")).StatusCode);
        var ready = await http.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        Assert.Equal(["database", "llm-provider"], report.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Empty(portal.Groq.Requests);
    }

    [Fact]
    public async Task A_provider_that_rejects_the_key_is_reported_and_callers_get_503_not_401()
    {
        var (portal, _, _, key) = await StartAsync();
        await using var _ = portal;
        portal.Groq.Default = FakeGroqServer.Error(401, "Invalid API Key", "invalid_api_key");

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => Chat(portal, key).CompleteChatAsync([new UserChatMessage(Question)]));
        Assert.Equal(503, refused.Status); // the caller's key is fine: CodeMentor's own provider key is not

        var check = await ReadyCheckAsync(portal, "llm-provider");
        Assert.Equal("Degraded", check.GetProperty("status").GetString());
        Assert.Equal("key-rejected", check.GetProperty("data").GetProperty("provider.groq").GetString());
        Assert.DoesNotContain(FakeGroqServer.Key, check.GetRawText());

        // A success clears it.
        portal.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply(Reply));
        await Chat(portal, key).CompleteChatAsync([new UserChatMessage("Again?")]);
        Assert.Equal("Healthy", (await ReadyCheckAsync(portal, "llm-provider")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_open_circuit_is_reported_and_the_node_stays_ready()
    {
        var (portal, _, _, key) = await StartAsync(new()
        {
            ["Llm:MaxRetries"] = "0",
            ["Llm:Resilience:BreakerMinimumThroughput"] = "2",
            ["Llm:Resilience:BreakerFailureRatio"] = "0.5",
            ["Llm:Resilience:BreakerBreakSeconds"] = "600",
        });
        await using var _ = portal;
        portal.Groq.Default = FakeGroqServer.Error(500, "Internal Server Error", "internal_error");
        for (var i = 0; i < 2; i++)
        {
            var failed = await Assert.ThrowsAsync<ClientResultException>(() => Chat(portal, key).CompleteChatAsync([new UserChatMessage($"Try {i}")]));
            Assert.Equal(502, failed.Status);
        }
        var open = await Assert.ThrowsAsync<ClientResultException>(() => Chat(portal, key).CompleteChatAsync([new UserChatMessage("Once more")]));
        Assert.Equal(503, open.Status);
        Assert.True(open.GetRawResponse()!.Headers.TryGetValue("retry-after", out var retryAfter) && retryAfter!.Length > 0);

        using var http = portal.CreateClient();
        var ready = await http.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode); // pages and history still work
        var check = await ReadyCheckAsync(portal, "llm-provider");
        Assert.Equal("circuit-open", check.GetProperty("data").GetProperty("provider.groq").GetString());
    }

    [Fact]
    public async Task A_database_that_does_not_answer_makes_the_node_unready()
    {
        var services = new ServiceCollection();
        services.AddPooledDbContextFactory<AppDbContext>(o => o.UseSqlite("Data Source=/nonexistent-folder/for/sure/codementor.db;Mode=ReadWrite"));
        var check = ActivatorUtilities.CreateInstance<DatabaseHealthCheck>(services.BuildServiceProvider());
        var result = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.DoesNotContain("nonexistent-folder", result.Description);
    }

    private static async Task<JsonElement> ReadyCheckAsync(KestrelPortal portal, string name)
    {
        using var http = portal.CreateClient();
        using var report = JsonDocument.Parse(await http.GetStringAsync("health/ready"));
        return report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).Clone();
    }

    private static long Sum(ExportedItems<Metric> metrics, string name)
    {
        long total = 0;
        foreach (var metric in metrics.Snapshot().Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                total += point.GetSumLong();
            }
        }
        return total;
    }
}

/// <summary>OpenTelemetry listens to activity sources and meters by name across the whole process,
/// so these tests run alone: no other test's model calls land in their exporters.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}
