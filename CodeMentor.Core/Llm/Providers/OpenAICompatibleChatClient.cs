using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Core.Llm.Providers;

/// <summary>
/// Streams chat completions from an OpenAI-compatible endpoint: Groq, Ollama, vLLM, LM Studio, OpenAI.
/// Written on HttpClient rather than the OpenAI SDK because CodeMentor needs what the SDK hides or
/// only exposes through experimental APIs: Groq's <c>x_groq.usage</c> and <c>x_groq.error</c>,
/// <c>delta.reasoning</c>, the x-ratelimit-* and retry-after headers, and a stream that ends
/// without <c>[DONE]</c> treated as a failure. It never retries: the resilience pipeline owns that.
/// </summary>
internal sealed partial class OpenAICompatibleChatClient(
    HttpClient http, ProviderEndpoint endpoint, TimeSpan requestTimeout, TimeProvider time, ILogger<OpenAICompatibleChatClient> logger) : IChatClient
{
    private readonly ChatClientMetadata _metadata = new(endpoint.Name, endpoint.BaseUri, endpoint.DefaultModel);

    // What every request carries, made once rather than per call (a Uri resolved, header objects built and parsed).
    private readonly Uri _completions = new(AppendPath(endpoint.BaseUri), "chat/completions");
    // Shared by every request, as HttpClient's DefaultRequestHeaders share theirs: header values are never changed once made.
    private readonly AuthenticationHeaderValue? _authorization = string.IsNullOrEmpty(endpoint.ApiKey) ? null : new("Bearer", endpoint.ApiKey);

    public ProviderEndpoint Endpoint => endpoint;

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? endpoint.DefaultModel;
        using var request = new HttpRequestMessage(HttpMethod.Post, _completions);
        request.Content = ChatRequestWriter.Write(endpoint, model, messages, options);
        request.Headers.Authorization = _authorization;
        request.Headers.TryAddWithoutValidation("Accept", "text/event-stream");

        // The timeout bounds the wait for the response and then each silence between chunks,
        // so a long but lively reply is never cut off.
        // Timed on the app's TimeProvider, so tests drive it with a fake clock.
        using var deadline = new IdleDeadline(time, requestTimeout);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);

        using var response = await SendAsync(request, idle, cancellationToken);
        var rateLimits = ProviderRateLimits.FromHeaders(response.Headers);
        if (rateLimits is not null)
        {
            yield return new ChatResponseUpdate { AdditionalProperties = new() { [ProviderRateLimits.PropertyName] = rateLimits } };
        }

        // Read as UTF-8 bytes by the framework's SSE parser (CR, LF or CRLF lines, comments, multi-line data):
        // no string per line, and each chunk's JSON is parsed from the bytes.
        await using var body = new ReadNotifyingStream(await response.Content.ReadAsStreamAsync(idle.Token),
            deadline.Heard);
        using var chunks = new StreamChunkReader(endpoint);
        var events = SseParser.Create(body, (_, data) => StreamChunkReader.IsDone(data) ? null : chunks.Read(data));
        await using var items = events.EnumerateAsync(idle.Token).GetAsyncEnumerator(idle.Token);
        var sawDone = false;
        // Text that has already arrived when it is read is handed on as one update (see StreamChunkReader.Folded):
        // the chunks of a fast reply often come many to a network read, and each update costs every stage of the
        // pipeline. Nothing waits to be folded: an update is handed on as soon as the next chunk is not there yet.
        // The idle timeout counts only the wait for the provider: it is paused while the caller has an update.
        ChatResponseUpdate? pending = null;
        while (true)
        {
            deadline.Heard();
            var next = items.MoveNextAsync();
            if (pending is not null && !next.IsCompleted)
            {
                chunks.Seal();
                deadline.Pause();
                yield return pending;
                pending = null;
                deadline.Heard();
            }
            ExceptionDispatchInfo? failure = null;
            var more = false;
            try
            {
                more = await next;
            }
            catch (Exception ex) when (ex is LlmException || ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failure = ExceptionDispatchInfo.Capture(ex is LlmException ? ex : Interrupted(ex, idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested));
            }
            if (failure is not null)
            {
                // What arrived before the failure is the reply's text so far: it is handed on before the error.
                if (pending is not null)
                {
                    chunks.Seal();
                    yield return pending;
                }
                failure.Throw();
            }
            if (!more)
            {
                break;
            }
            if (items.Current.Data is not { } update)
            {
                sawDone = true;
                break;
            }
            if (ReferenceEquals(update, StreamChunkReader.Folded))
            {
                continue;
            }
            if (pending is not null)
            {
                // Reading the update that follows it has sealed it (StreamChunkReader.Read).
                deadline.Pause();
                yield return pending;
            }
            pending = update;
        }
        if (pending is not null)
        {
            chunks.Seal();
            yield return pending;
        }

        if (!sawDone)
        {
            throw new LlmException(LlmFailureCategory.StreamInterrupted,
                $"{endpoint.DisplayName} closed the stream before the reply was complete.",
                endpoint.Name);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationTokenSource idle, CancellationToken caller)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token);
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            throw new LlmException(LlmFailureCategory.Timeout,
                $"{endpoint.DisplayName} did not answer within {requestTimeout.TotalSeconds:0} seconds (LLM_TIMEOUT). Try again in a moment.",
                endpoint.Name);
        }
        catch (HttpRequestException ex)
        {
            LogUnreachable(logger, endpoint.Name, endpoint.BaseUri.GetLeftPart(UriPartial.Authority), ex.Message);
            throw new LlmException(LlmFailureCategory.Network,
                $"Could not reach {endpoint.DisplayName}. Check that it is running and reachable, then try again.",
                endpoint.Name, inner: ex)
            {
                // For the log and administrators only: learners never see internal addresses.
                AdminDetail = $"{endpoint.BaseUri.GetLeftPart(UriPartial.Authority)}: {ex.Message}",
            };
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await ReadErrorBodyAsync(response, caller);
            var error = ProviderErrors.FromResponse(endpoint, response, body);
            LogProviderError(logger, endpoint.Name, (int)response.StatusCode, error.CategoryLabel);
            throw error;
        }
    }

    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            return text.Length > 4000 ? text[..4000] : text;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return string.Empty;
        }
    }

    private LlmException Interrupted(Exception ex, bool timedOut) => timedOut
        ? new LlmException(LlmFailureCategory.Timeout,
            $"{endpoint.DisplayName} stopped sending for {requestTimeout.TotalSeconds:0} seconds (LLM_TIMEOUT).",
            endpoint.Name, inner: ex)
        : new LlmException(LlmFailureCategory.StreamInterrupted,
            $"The connection to {endpoint.DisplayName} dropped during the reply.",
            endpoint.Name, inner: ex);

    private static Uri AppendPath(Uri baseUri) =>
        baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        // The HttpClient comes from IHttpClientFactory and is not ours to dispose.
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provider {Provider} answered HTTP {Status} ({Category})")]
    private static partial void LogProviderError(ILogger logger, string provider, int status, string category);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provider {Provider} at {Address} could not be reached: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string provider, string address, string reason);
}
