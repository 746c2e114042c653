using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Testing;

/// <summary>
/// An in-process HTTP server that speaks Groq's chat completions wire format: SSE chunks with a
/// role chunk, delta.reasoning and delta.content chunks, a final chunk carrying usage and
/// x_groq.usage, then <c>data: [DONE]</c>; and Groq's JSON errors. Tests queue what each request
/// gets; requests are recorded with their headers and body.
/// </summary>
public sealed class FakeGroqServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();

    public const string Key = "test-key-not-real";

    private FakeGroqServer(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = default!;
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>What a request gets when nothing is queued.</summary>
    public Func<HttpContext, Task> Default { get; set; } = Reply(GroqStream.Reply("Hello from the fake Groq server."));

    public static async Task<FakeGroqServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeGroqServer(app);
        app.MapPost("/openai/v1/chat/completions", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address + "/openai/v1");
        return server;
    }

    public void Enqueue(Func<HttpContext, Task> response) => _script.Enqueue(response);

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var json = JsonNode.Parse(body)!.AsObject();
        Requests.Enqueue(new RecordedRequest(context.Request.Headers.Authorization.ToString(), json));
        context.Items["model"] = (string?)json["model"];
        context.Items["request"] = json;

        if (context.Request.Headers.Authorization != $"Bearer {Key}")
        {
            await Error(401, "Invalid API Key", "invalid_api_key")(context);
            return;
        }
        var respond = _script.TryDequeue(out var scripted) ? scripted : Default;
        await respond(context);
    }

    /// <summary>Streams the given SSE events, with an optional pause between them.</summary>
    public static Func<HttpContext, Task> Reply(IReadOnlyList<string> events, TimeSpan? delay = null,
        IDictionary<string, string>? headers = null) => async context =>
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        AddRateLimitHeaders(context.Response);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }
        // Like the real API, chunks name the model that was asked for.
        var model = context.Items["model"] as string ?? GroqStream.Model;
        var modelField = $"\"model\":{JsonSerializer.Serialize(model)}";
        foreach (var e in events)
        {
            if (delay is { } d)
            {
                await Task.Delay(d, context.RequestAborted);
            }
            await context.Response.WriteAsync(e.Replace($"\"model\":\"{GroqStream.Model}\"", modelField), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    };

    /// <summary>Streams the given SSE events at a steady rate (events per second), writing every
    /// event that is due each couple of milliseconds: fast models send many tokens per packet.</summary>
    public static Func<HttpContext, Task> ReplyAtRate(IReadOnlyList<string> events, double eventsPerSecond) => async context =>
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        AddRateLimitHeaders(context.Response);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var sent = 0;
        while (sent < events.Count)
        {
            var due = Math.Min(events.Count, 1 + (int)(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds * eventsPerSecond));
            for (; sent < due; sent++)
            {
                await context.Response.WriteAsync(events[sent], context.RequestAborted);
            }
            await context.Response.Body.FlushAsync(context.RequestAborted);
            if (sent < events.Count)
            {
                await Task.Delay(2, context.RequestAborted);
            }
        }
    };

    /// <summary>The JSON body of the request being answered (for handlers that answer by content).</summary>
    public static JsonObject RequestOf(HttpContext context) => (JsonObject)context.Items["request"]!;

    /// <summary>Groq's JSON error body with the given status.</summary>
    public static Func<HttpContext, Task> Error(int status, string message, string code, string? retryAfter = null) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (retryAfter is not null)
        {
            context.Response.Headers["retry-after"] = retryAfter;
        }
        var type = status == 429 ? "tokens" : "invalid_request_error";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { error = new { message, type, code } }));
    };

    /// <summary>Sends some events, waits until the test says the client has read them (a reset
    /// connection may discard unread data), then drops the connection without [DONE].</summary>
    public static Func<HttpContext, Task> DropAfter(IReadOnlyList<string> events, Task clientHasRead) => async context =>
    {
        await Reply(events)(context);
        await clientHasRead.WaitAsync(TimeSpan.FromSeconds(30));
        context.Abort();
    };

    private static void AddRateLimitHeaders(HttpResponse response)
    {
        response.Headers["x-ratelimit-limit-requests"] = "14400";
        response.Headers["x-ratelimit-remaining-requests"] = "14399";
        response.Headers["x-ratelimit-reset-requests"] = "6s";
        response.Headers["x-ratelimit-limit-tokens"] = "18000";
        response.Headers["x-ratelimit-remaining-tokens"] = "17950";
        response.Headers["x-ratelimit-reset-tokens"] = "2m59.56s";
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed record RecordedRequest(string Authorization, JsonObject Body);

/// <summary>Builds SSE events exactly as Groq sends them.</summary>
public static class GroqStream
{
    public const string Model = "openai/gpt-oss-20b";

    public static string Chunk(object delta, string? finishReason = null, object? usage = null, string? xGroqError = null)
    {
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1764000000,
            ["model"] = Model,
            ["system_fingerprint"] = "fp_fake",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["delta"] = JsonSerializer.SerializeToNode(delta),
                ["logprobs"] = null,
                ["finish_reason"] = finishReason,
            }),
        };
        var xGroq = new JsonObject { ["id"] = "req_fake" };
        if (usage is not null)
        {
            xGroq["usage"] = JsonSerializer.SerializeToNode(usage);
        }
        if (xGroqError is not null)
        {
            xGroq["error"] = xGroqError;
        }
        chunk["x_groq"] = xGroq;
        return $"data: {chunk.ToJsonString()}\n\n";
    }

    public static object Usage(int prompt, int completion, int reasoning = 0, int cached = 0) => new
    {
        queue_time = 0.012,
        prompt_tokens = prompt,
        prompt_time = 0.002,
        completion_tokens = completion,
        completion_time = 0.05,
        total_tokens = prompt + completion,
        total_time = 0.052,
        prompt_tokens_details = new { cached_tokens = cached },
        completion_tokens_details = new { reasoning_tokens = reasoning },
    };

    public const string Done = "data: [DONE]\n\n";

    /// <summary>A complete stream: role chunk, reasoning, the text in pieces, final chunk with usage, [DONE].</summary>
    public static IReadOnlyList<string> Reply(string text, string reasoning = "", int promptTokens = 42, int? pieceLength = null,
        bool usageOnlyInXGroq = false, object? usage = null)
    {
        var events = new List<string> { Chunk(new { role = "assistant", content = "" }) };
        if (reasoning.Length > 0)
        {
            events.Add(Chunk(new { reasoning }));
        }
        events.AddRange(Pieces(text, pieceLength ?? 6).Select(p => Chunk(new { content = p })));
        usage ??= Usage(promptTokens, completion: Pieces(text, pieceLength ?? 6).Count() + 3, reasoning: reasoning.Length > 0 ? 3 : 0);
        var final = Chunk(new { }, "stop", usage);
        if (!usageOnlyInXGroq)
        {
            var node = JsonNode.Parse(final["data: ".Length..])!.AsObject();
            node["usage"] = JsonSerializer.SerializeToNode(usage);
            final = $"data: {node.ToJsonString()}\n\n";
        }
        events.Add(final);
        events.Add(Done);
        return events;
    }

    /// <summary>The text in pieces of about <paramref name="length"/> characters, never cutting a character in two
    /// (a surrogate pair): Groq sends whole characters, and a lone surrogate is not valid in UTF-8 JSON.</summary>
    public static IEnumerable<string> Pieces(string text, int length)
    {
        for (var i = 0; i < text.Length;)
        {
            var take = Math.Min(length, text.Length - i);
            if (char.IsHighSurrogate(text[i + take - 1]) && i + take < text.Length)
            {
                take++;
            }
            yield return text.Substring(i, take);
            i += take;
        }
    }
}
