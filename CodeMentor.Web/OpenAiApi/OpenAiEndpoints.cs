using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using CodeMentor.Core.Courses.Material;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Tutoring.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.AI;

namespace CodeMentor.Web.OpenAiApi;

/// <summary>
/// POST /v1/chat/completions (streaming and not) and GET /v1/models, as OpenAI's API defines them,
/// for clients that already speak it. Authenticated with the learner's own API keys.
/// </summary>
public static class OpenAiEndpoints
{
    public const string OverheadHeader = "x-codementor-overhead-ms";
    private const long MaxRequestBytes = 4 * 1024 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IServiceCollection AddCodeMentorOpenAiApi(this IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
            ApiKeyAuthenticationHandler.SchemeName, _ => { });
        return services;
    }

    public static IEndpointRouteBuilder MapOpenAiEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var v1 = endpoints.MapGroup("/v1")
            .RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = ApiKeyAuthenticationHandler.SchemeName })
            .DisableAntiforgery();
        v1.MapGet("/models", () => Results.Json(new { @object = "list", data = TutorApi.Models.Select(Model) }, Json));
        v1.MapGet("/models/{id}", (string id) => TutorApi.Models.FirstOrDefault(m => m.Id == id) is { } model
            ? Results.Json(Model(model), Json)
            : Results.Json(OpenAiErrors.Body($"The model '{id}' does not exist here.", "invalid_request_error", "model_not_found", "model"),
                statusCode: StatusCodes.Status404NotFound));
        v1.MapPost("/chat/completions", CompleteAsync).WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes));
        return endpoints;
    }

    private static object Model(TutorApiModel model) => new
    {
        id = model.Id,
        @object = "model",
        created = 1_764_115_200, // 2025-11-26: when these models were first offered
        owned_by = "codementor",
        description = model.Description,
    };

    private static async Task CompleteAsync(HttpContext http, TutorApi api, IChatClient chat, TimeProvider time)
    {
        var (request, invalid) = await ChatCompletionRequest.ReadAsync(http.Request);
        if (request is null)
        {
            await OpenAiErrors.WriteAsync(http, 400, invalid!.Value.Message, "invalid_request_error", "invalid_request", invalid.Value.Param);
            return;
        }
        var userId = http.User.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var call = await api.PrepareAsync(userId, request.Model, request.Messages, request.Temperature, request.MaxTokens, http.RequestAborted);
        if (call.Refusal is { } refusal)
        {
            await OpenAiErrors.WriteAsync(http, refusal.Code == "model_not_found" ? 404 : 400, refusal.Message, "invalid_request_error",
                refusal.Code, refusal.Param);
            return;
        }
        var options = call.Options!;
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        if (request.Stream)
        {
            await StreamAsync(http, chat, call.Prompt!, options, request, id, created);
            return;
        }
        ChatResponse response;
        try
        {
            response = await chat.GetResponseAsync(call.Prompt!, options, http.RequestAborted);
        }
        catch (LlmException ex)
        {
            await OpenAiErrors.WriteAsync(http, ex);
            return;
        }
        SetOverhead(http, response.GetCallResult());
        await http.Response.WriteAsJsonAsync(new
        {
            id,
            @object = "chat.completion",
            created,
            model = request.Model,
            choices = new[]
            {
                new { index = 0, message = new { role = "assistant", content = response.Text, refusal = (string?)null }, logprobs = (object?)null,
                    finish_reason = FinishReason(response.FinishReason) },
            },
            usage = Usage(response.Usage),
            system_fingerprint = (string?)null,
            codementor = Extras(http, response.Messages.SelectMany(m => m.Contents)),
        }, http.RequestAborted);
    }

    private static async Task StreamAsync(HttpContext http, IChatClient chat, IReadOnlyList<ChatMessage> prompt, ChatOptions options,
        ChatCompletionRequest request, string id, long created)
    {
        await using var updates = chat.GetStreamingResponseAsync(prompt, options, http.RequestAborted).GetAsyncEnumerator(http.RequestAborted);
        // Refusals and failures before the reply's first text get a status code, as OpenAI answers
        // them: nothing is sent until then.
        var held = new List<ChatResponseUpdate>();
        try
        {
            while (await updates.MoveNextAsync())
            {
                held.Add(updates.Current);
                if (updates.Current.Text.Length > 0)
                {
                    break;
                }
            }
        }
        catch (LlmException ex)
        {
            await OpenAiErrors.WriteAsync(http, ex);
            return;
        }

        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass each event on at once
        object Chunk(object delta, string? finish) => new
        {
            id, @object = "chat.completion.chunk", created, model = request.Model,
            choices = new[] { new { index = 0, delta, logprobs = (object?)null, finish_reason = finish } },
        };
        // The course material the reply cites comes before its text, so the first chunk carries the sources.
        await WriteEventAsync(http, new
        {
            id, @object = "chat.completion.chunk", created, model = request.Model,
            choices = new[] { new { index = 0, delta = (object)new { role = "assistant", content = "" }, logprobs = (object?)null, finish_reason = (string?)null } },
            codementor = Extras(http, held.SelectMany(u => u.Contents)),
        });
        var reply = new List<ChatResponseUpdate>();
        try
        {
            foreach (var update in held)
            {
                await WriteTextAsync(update);
            }
            while (await updates.MoveNextAsync())
            {
                await WriteTextAsync(updates.Current);
            }
        }
        catch (LlmException ex)
        {
            // Mid-reply the status line is gone: OpenAI's clients read an error event instead.
            var (_, type, code) = OpenAiErrors.Classify(ex);
            await WriteEventAsync(http, OpenAiErrors.Body(ex.Message + " The text so far was sent.", type, code));
            return;
        }

        // The stream folded once, for its end: finish reason, usage and the pipeline's result.
        var response = reply.ToChatResponse();
        await WriteEventAsync(http, Chunk(new { }, FinishReason(response.FinishReason)));
        if (request.IncludeUsage)
        {
            await WriteEventAsync(http, new
            {
                id, @object = "chat.completion.chunk", created, model = request.Model, choices = Array.Empty<object>(), usage = Usage(response.Usage),
                // What CodeMentor's pipeline added, as the non-streaming response's x-codementor-overhead-ms header says it.
                codementor = new { overhead_ms = response.GetCallResult()?.Overhead.TotalMilliseconds },
            });
        }
        await http.Response.Body.WriteAsync("data: [DONE]\n\n"u8.ToArray(), http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);

        async Task WriteTextAsync(ChatResponseUpdate update)
        {
            reply.Add(update);
            if (update.Text is { Length: > 0 } text)
            {
                await WriteEventAsync(http, Chunk(new { content = text }, null));
            }
        }
    }

    /// <summary>What CodeMentor adds to OpenAI's shape (clients that do not know it ignore it): the course material a reply
    /// was given to cite as [n], each with a link that opens the passage for the course's members, or that the material
    /// does not cover the question. Null when no course material was consulted.</summary>
    private static object? Extras(HttpContext http, IEnumerable<AIContent> contents)
    {
        if (contents.OfType<CourseSourcesContent>().FirstOrDefault() is not { } material)
        {
            return null;
        }
        var site = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/";
        return new
        {
            course_material = new
            {
                covered = material.Covered,
                sources = material.Sources.Select(s => new
                {
                    number = s.Number, citation = s.Describe(), title = s.Title, section = s.Section, page = s.Page, url = site + s.Href,
                }),
            },
        };
    }

    private static async Task WriteEventAsync(HttpContext http, object payload)
    {
        var body = http.Response.Body;
        await body.WriteAsync("data: "u8.ToArray(), http.RequestAborted);
        await JsonSerializer.SerializeAsync(body, payload, Json, http.RequestAborted);
        await body.WriteAsync("\n\n"u8.ToArray(), http.RequestAborted);
        await body.FlushAsync(http.RequestAborted);
    }

    private static void SetOverhead(HttpContext http, LlmCallResult? result)
    {
        if (result is not null)
        {
            http.Response.Headers[OverheadHeader] = result.Overhead.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
        }
    }

    private static string FinishReason(ChatFinishReason? reason) =>
        reason == ChatFinishReason.Length ? "length" : reason == ChatFinishReason.ContentFilter ? "content_filter" : "stop";

    private static object Usage(UsageDetails? usage)
    {
        var input = usage?.InputTokenCount ?? 0;
        var output = usage?.OutputTokenCount ?? 0;
        return new { prompt_tokens = input, completion_tokens = output, total_tokens = usage?.TotalTokenCount ?? input + output };
    }
}
