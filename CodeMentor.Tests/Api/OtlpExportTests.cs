using System.Collections.Concurrent;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using CodeMentor.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace CodeMentor.Tests.Api;

/// <summary>
/// The OTLP path end to end: the app started with the standard OTEL_* settings exports traces,
/// metrics and logs over OTLP/HTTP to a receiver on this machine (a stand-in for a collector:
/// it records what arrives; the payloads are OpenTelemetry's protobuf, whose strings are plain UTF-8).
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Traces_metrics_and_logs_reach_the_configured_otlp_endpoint()
    {
        var received = new ConcurrentBag<(string Path, string ContentType, byte[] Body)>();
        var receiver = WebApplication.CreateSlimBuilder();
        receiver.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = receiver.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            received.Add((http.Request.Path, http.Request.ContentType ?? "", body.ToArray()));
            return Results.Ok();
        });
        await collector.StartAsync();
        var endpoint = collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        await using var portal = await KestrelPortal.StartAsync(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        });
        portal.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply("Loops repeat code.", promptTokens: 42));
        var key = await portal.CreateKeyAsync(await portal.RegisterAsync("ada@example.org"));
        var chat = new ChatClient("codementor-tutor", new ApiKeyCredential(key),
            new OpenAIClientOptions { Endpoint = new Uri(portal.BaseUri, "v1"), RetryPolicy = new ClientRetryPolicy(0) });
        await chat.CompleteChatAsync([new UserChatMessage("What is a loop, private-question-5521?")]);

        bool Has(string path, string text) => received.Any(r => r.Path == path && Encoding.UTF8.GetString(r.Body).Contains(text));
        await Eventually.TrueAsync(() => Task.FromResult(Has("/v1/traces", "gen_ai.usage.input_tokens") && Has("/v1/metrics", "codementor.llm.call.outcomes")
            && Has("/v1/metrics", "gen_ai.client.token.usage") && received.Any(r => r.Path == "/v1/logs")),
            TimeSpan.FromSeconds(30), "traces, metrics and logs to arrive at the OTLP endpoint");

        Assert.All(received, r => Assert.Equal("application/x-protobuf", r.ContentType));
        Assert.True(Has("/v1/traces", "codementor"), "the service is named codementor");
        Assert.DoesNotContain(received, r => Encoding.UTF8.GetString(r.Body).Contains("private-question-5521"));
    }
}
