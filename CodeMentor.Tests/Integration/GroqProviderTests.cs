using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Providers;
using System.Text;
using CodeMentor.Tests.Support;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CodeMentor.Tests.Integration;

/// <summary>The Groq provider over real HTTP against the in-process fake Groq server.</summary>
public sealed class GroqProviderTests : IAsyncLifetime
{
    private FakeGroqServer _server = default!;
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public async Task InitializeAsync() => _server = await FakeGroqServer.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private OpenAICompatibleChatClient Client(string? key = FakeGroqServer.Key, TimeSpan? timeout = null, TimeProvider? time = null) => new(
        _http,
        new ProviderEndpoint("groq", "Groq", _server.BaseUri, key, GroqOptions.DefaultModel, "GROQ_API_KEY", IsGroq: true, ReasoningEffort: "low"),
        timeout ?? TimeSpan.FromSeconds(30),
        time ?? TimeProvider.System,
        NullLogger<OpenAICompatibleChatClient>.Instance);

    private static List<ChatMessage> Prompt() =>
    [
        new(ChatRole.System, "You are a tutor."),
        new(ChatRole.User, "What is a loop?") { AuthorName = "learner-name-must-not-be-sent" },
    ];

    [Fact]
    public async Task Streams_text_keeps_reasoning_apart_and_reads_usage()
    {
        _server.Enqueue(FakeGroqServer.Reply(GroqStream.Reply("A loop repeats code.", reasoning: "The learner is new.", promptTokens: 57)));

        var updates = await Client().GetStreamingResponseAsync(Prompt(), new ChatOptions { Temperature = 0.5f, MaxOutputTokens = 300 }).ToListAsync();

        var text = string.Concat(updates.SelectMany(u => u.Contents).OfType<TextContent>().Select(c => c.Text));
        var reasoning = string.Concat(updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Select(c => c.Text));
        var usage = updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details;
        Assert.Equal("A loop repeats code.", text);
        Assert.Equal("The learner is new.", reasoning);
        Assert.Equal(57, usage.InputTokenCount);
        Assert.Equal(7, usage.OutputTokenCount); // 4 pieces + 3, as the fake counts
        Assert.Equal(3, usage.ReasoningTokenCount);
        Assert.Equal(0, usage.CachedInputTokenCount);
        Assert.Equal("stop", updates.Last(u => u.FinishReason is not null).FinishReason!.Value.Value);
        Assert.Equal(GroqStream.Model, updates.First(u => u.ModelId is not null).ModelId);
    }

    private static readonly string[] TextPieces = ["a loop ", "χρῆν", "🙂", "é", "\n", "\"quoted\"", "\\", "tab\t", "x"];
    private static readonly string[] LineEnds = ["\n", "\r\n", "\r"];

    /// <summary>A 200 response whose body is sent cut into packets of the given lengths (cycled). Where a pause is 0
    /// the fake waits a moment before the next packet, so the caller has read everything sent so far.</summary>
    private static Func<HttpContext, Task> InPackets(byte[] bytes, int[] cuts, int[]? pauses) => async context =>
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        for (int at = 0, cut = 0; at < bytes.Length; cut++)
        {
            var length = Math.Min(cuts[cut % cuts.Length], bytes.Length - at);
            await context.Response.Body.WriteAsync(bytes.AsMemory(at, length));
            await context.Response.Body.FlushAsync();
            at += length;
            if (pauses is not null && pauses[cut % pauses.Length] == 0)
            {
                await Task.Delay(1);
            }
        }
    };

    [Fact]
    public async Task Reads_the_same_text_whatever_the_line_endings_comments_and_packet_boundaries()
    {
        // SSE allows LF, CRLF or CR line ends, comments, and "data:" without a space; the network may cut
        // anywhere, inside a line or inside a character's UTF-8 bytes. None of that may change the text.
        var stream =
            from text in Gen.Int[0, TextPieces.Length - 1].Array[1, 12].Select(ix => string.Concat(ix.Select(i => TextPieces[i])))
            from pieceLength in Gen.Int[1, 5]
            from ends in Gen.Int[0, 2].Array[64]
            from comments in Gen.Bool.Array[64]
            from spaces in Gen.Bool.Array[64]
            from cuts in Gen.Int[1, 24].Array[400]
            select (text, pieceLength, ends, comments, spaces, cuts);

        await stream.SampleAsync(async sample =>
        {
            var (text, pieceLength, ends, comments, spaces, cuts) = sample;
            var wire = new StringBuilder();
            var events = GroqStream.Reply(text, pieceLength: pieceLength);
            for (var i = 0; i < events.Count; i++)
            {
                var end = LineEnds[ends[i % ends.Length]];
                if (comments[i % comments.Length])
                {
                    wire.Append(": keep-alive").Append(end);
                }
                var e = events[i].TrimEnd('\n');
                wire.Append(spaces[i % spaces.Length] ? e : e.Replace("data: ", "data:")).Append(end).Append(end);
            }
            _server.Enqueue(InPackets(Encoding.UTF8.GetBytes(wire.ToString()), cuts, pauses: null));

            var updates = await Client().GetStreamingResponseAsync(Prompt()).ToListAsync();

            Assert.Equal(text, string.Concat(updates.SelectMany(u => u.Contents).OfType<TextContent>().Select(c => c.Text)));
            Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
            Assert.All(updates.Where(u => u.ResponseId is not null), u => Assert.Equal("chatcmpl-fake", u.ResponseId));
        }, iter: 150, threads: 1); // one at a time: the fake answers requests in the order they were queued
    }

    [Fact]
    public async Task Chunks_that_arrive_together_are_handed_on_as_one_update_and_nothing_handed_on_changes_afterwards()
    {
        // Answer and reasoning pieces in any order, cut into packets anywhere: the text and the reasoning read are the
        // ones sent, each update holds one kind, an update is never longer than one fold (512 characters) plus the
        // piece that filled it, and an update is never changed after it was handed on (what the caller saw on
        // receiving it is what it holds at the end).
        var stream =
            from pieces in Gen.Select(Gen.Bool, Gen.Int[0, TextPieces.Length - 1].Array[1, 40]).Array[1, 30]
            from cuts in Gen.Int[1, 4000].Array[50]
            from pauses in Gen.Int[0, 5].Array[50] // now and then updates are handed on while later pieces are still to come
            select (pieces, cuts, pauses);

        await stream.SampleAsync(async sample =>
        {
            var (pieces, cuts, pauses) = sample;
            var sent = pieces.Select(p => (IsReasoning: p.Item1, Text: string.Concat(p.Item2.Select(i => TextPieces[i])))).ToList();
            var events = new List<string> { GroqStream.Chunk(new { role = "assistant", content = "" }) };
            events.AddRange(sent.Select(p => p.IsReasoning ? GroqStream.Chunk(new { reasoning = p.Text }) : GroqStream.Chunk(new { content = p.Text })));
            events.Add(GroqStream.Chunk(new { }, "stop", GroqStream.Usage(10, sent.Count)));
            events.Add(GroqStream.Done);
            _server.Enqueue(InPackets(Encoding.UTF8.GetBytes(string.Concat(events)), cuts, pauses));

            var seen = new List<(ChatResponseUpdate Update, string Text)>();
            await foreach (var update in Client().GetStreamingResponseAsync(Prompt()))
            {
                seen.Add((update, string.Concat(update.Contents.Select(c => c switch { TextReasoningContent r => "R" + r.Text, TextContent t => "T" + t.Text, _ => "" }))));
            }

            Assert.All(seen, s => Assert.Equal(s.Text, string.Concat(s.Update.Contents.Select(c => c switch { TextReasoningContent r => "R" + r.Text, TextContent t => "T" + t.Text, _ => "" }))));
            var contents = seen.SelectMany(s => s.Update.Contents).ToList();
            Assert.Equal(string.Concat(sent.Where(p => !p.IsReasoning).Select(p => p.Text)), string.Concat(contents.OfType<TextContent>().Select(c => c.Text)));
            Assert.Equal(string.Concat(sent.Where(p => p.IsReasoning).Select(p => p.Text)), string.Concat(contents.OfType<TextReasoningContent>().Select(c => c.Text)));
            var longestPiece = sent.Max(p => p.Text.Length);
            Assert.All(contents.OfType<TextContent>(), c => Assert.True(c.Text.Length < 512 + longestPiece, $"{c.Text.Length} characters in one update"));
            Assert.All(seen, s => Assert.True(s.Update.Contents.Count(c => c is TextContent) <= 1, "one kind of text per update"));
            Assert.Single(contents.OfType<UsageContent>());
            Assert.Equal("stop", seen.Last(s => s.Update.FinishReason is not null).Update.FinishReason!.Value.Value);
        }, iter: 100, threads: 1);
    }

    [Fact]
    public async Task Chunks_that_arrive_apart_are_handed_on_apart_and_together_as_one()
    {
        // The fake sends the next piece only once the caller has the one before: nothing can arrive together.
        var pieces = GroqStream.Pieces("A loop repeats a block of code while a condition holds.", 6).ToList();
        var received = new TaskCompletionSource[pieces.Count];
        for (var i = 0; i < received.Length; i++)
        {
            received[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        _server.Enqueue(async context =>
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync(GroqStream.Chunk(new { role = "assistant", content = "" }));
            for (var i = 0; i < pieces.Count; i++)
            {
                await context.Response.WriteAsync(GroqStream.Chunk(new { content = pieces[i] }));
                await context.Response.Body.FlushAsync();
                await received[i].Task.WaitAsync(TimeSpan.FromSeconds(10));
            }
            await context.Response.WriteAsync(GroqStream.Chunk(new { }, "stop", GroqStream.Usage(10, pieces.Count)) + GroqStream.Done);
        });
        var apart = new List<string>();
        await foreach (var update in Client().GetStreamingResponseAsync(Prompt()))
        {
            if (update.Text.Length > 0)
            {
                received[apart.Count].SetResult();
                apart.Add(update.Text);
            }
        }
        Assert.Equal(pieces, apart);

        // The same pieces in one write come as one update.
        _server.Enqueue(FakeGroqServer.Reply([string.Concat(GroqStream.Reply(string.Concat(pieces), pieceLength: 6))]));
        var together = await Client().GetStreamingResponseAsync(Prompt()).Where(u => u.Text.Length > 0).Select(u => u.Text).ToListAsync();
        Assert.Equal([string.Concat(pieces)], together);
    }

    [Fact]
    public async Task Reads_usage_from_x_groq_when_the_standard_usage_is_missing()
    {
        _server.Enqueue(FakeGroqServer.Reply(GroqStream.Reply("Hi", promptTokens: 11, usageOnlyInXGroq: true)));

        var response = await Client().GetResponseAsync(Prompt());

        Assert.Equal("Hi", response.Text);
        Assert.Equal(11, response.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task Sends_model_messages_and_options_without_fields_Groq_rejects()
    {
        await Client().GetResponseAsync(Prompt(), new ChatOptions { Temperature = 0.25f, MaxOutputTokens = 512 });

        var request = Assert.Single(_server.Requests);
        Assert.Equal($"Bearer {FakeGroqServer.Key}", request.Authorization);
        var body = request.Body;
        Assert.Equal("openai/gpt-oss-20b", (string?)body["model"]);
        Assert.True((bool?)body["stream"]);
        Assert.Equal(0.25, (double?)body["temperature"]);
        Assert.Equal(512, (int?)body["max_completion_tokens"]);
        Assert.Equal("low", (string?)body["reasoning_effort"]);
        var messages = body["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal("system", (string?)messages[0]!["role"]);
        Assert.Equal("What is a loop?", (string?)messages[1]!["content"]);
        Assert.All(messages, m => Assert.Equal(["role", "content"], m!.AsObject().Select(p => p.Key)));
        Assert.False(body.ContainsKey("n"));
        Assert.False(body.ContainsKey("logprobs"));
    }

    [Fact]
    public async Task Asks_Groq_to_leave_out_reasoning_when_told_to()
    {
        await Client().GetResponseAsync(Prompt(), new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High, Output = ReasoningOutput.None } });

        var body = Assert.Single(_server.Requests).Body;
        Assert.Equal("high", (string?)body["reasoning_effort"]);
        Assert.False((bool?)body["include_reasoning"]);
    }

    [Fact]
    public async Task A_rejected_key_says_where_to_set_it_and_never_shows_the_key()
    {
        var ex = await Assert.ThrowsAsync<LlmException>(() => Client(key: "wrong-key-123").GetResponseAsync(Prompt()));

        Assert.Equal(LlmFailureCategory.Unauthorized, ex.Category);
        Assert.Contains("GROQ_API_KEY", ex.Message);
        Assert.DoesNotContain("wrong-key-123", ex.Message);
        Assert.False(ex.IsTransient);
    }

    [Theory]
    [InlineData(404, "The model `openai/gpt-oss-999b` does not exist or you do not have access to it.", "model_not_found", LlmFailureCategory.ModelNotFound, "openai/gpt-oss-999b")]
    [InlineData(413, "Request too large for model", "rate_limit_exceeded", LlmFailureCategory.RequestTooLarge, "too large")]
    [InlineData(400, "'messages.1' : property 'name' is unsupported", "invalid_request_error", LlmFailureCategory.BadRequest, "invalid")]
    [InlineData(503, "Service Unavailable", "service_unavailable", LlmFailureCategory.ServerError, "trouble")]
    public async Task Http_errors_map_to_specific_messages(int status, string message, string code, LlmFailureCategory category, string expectedText)
    {
        _server.Enqueue(FakeGroqServer.Error(status, message, code));

        var ex = await Assert.ThrowsAsync<LlmException>(() => Client().GetResponseAsync(Prompt()));

        Assert.Equal(category, ex.Category);
        Assert.Contains(expectedText, ex.Message);
    }

    [Fact]
    public async Task A_429_carries_retry_after()
    {
        _server.Enqueue(FakeGroqServer.Error(429, "Rate limit reached", "rate_limit_exceeded", retryAfter: "7"));

        var ex = await Assert.ThrowsAsync<LlmException>(() => Client().GetResponseAsync(Prompt()));

        Assert.Equal(LlmFailureCategory.RateLimited, ex.Category);
        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task A_stream_that_ends_without_DONE_is_a_failure_after_the_partial_text()
    {
        _server.Enqueue(FakeGroqServer.Reply(GroqStream.Reply("Partial answer that never finishes").Take(4).ToList()));

        var received = new List<string>();
        var ex = await Assert.ThrowsAsync<LlmException>(async () =>
        {
            await foreach (var update in Client().GetStreamingResponseAsync(Prompt()))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal(LlmFailureCategory.StreamInterrupted, ex.Category);
        Assert.Equal("Partial answer", string.Concat(received)[..14]);
    }

    [Fact]
    public async Task A_dropped_connection_mid_reply_is_a_failure_after_the_partial_text()
    {
        var clientHasRead = new TaskCompletionSource();
        _server.Enqueue(FakeGroqServer.DropAfter(GroqStream.Reply("Partial answer").Take(3).ToList(), clientHasRead.Task));

        var received = new List<string>();
        var ex = await Assert.ThrowsAsync<LlmException>(async () =>
        {
            await foreach (var update in Client().GetStreamingResponseAsync(Prompt()))
            {
                received.Add(update.Text);
                if (string.Concat(received).Length >= 12)
                {
                    clientHasRead.TrySetResult();
                }
            }
        });

        Assert.Equal(LlmFailureCategory.StreamInterrupted, ex.Category);
        Assert.StartsWith("Partial answ", string.Concat(received));
    }

    [Fact]
    public async Task An_x_groq_error_in_the_stream_is_a_failure()
    {
        _server.Enqueue(FakeGroqServer.Reply([
            GroqStream.Chunk(new { role = "assistant", content = "" }),
            GroqStream.Chunk(new { content = "Half" }),
            GroqStream.Chunk(new { }, xGroqError: "model overloaded"),
            GroqStream.Done,
        ]));

        var received = new StringBuilder();
        var ex = await Assert.ThrowsAsync<LlmException>(async () =>
        {
            await foreach (var update in Client().GetStreamingResponseAsync(Prompt()))
            {
                received.Append(update.Text);
            }
        });

        Assert.Equal(LlmFailureCategory.StreamInterrupted, ex.Category);
        Assert.Contains("model overloaded", ex.Message);
        Assert.Equal("Half", received.ToString()); // the text before the error, though it arrived with it
    }

    [Fact]
    public async Task Reports_Groqs_rate_limit_headers()
    {
        var updates = await Client().GetStreamingResponseAsync(Prompt()).ToListAsync();

        var limits = updates.Select(u => u.AdditionalProperties?.GetValueOrDefault(ProviderRateLimits.PropertyName)).OfType<ProviderRateLimits>().Single();
        Assert.Equal(14399, limits.RequestsRemaining);
        Assert.Equal(TimeSpan.FromMilliseconds(179_560), limits.TokensReset);
    }

    [Fact]
    public async Task Stopping_cancels_the_upstream_request()
    {
        var aborted = new TaskCompletionSource();
        _server.Enqueue(async context =>
        {
            context.RequestAborted.Register(() => aborted.TrySetResult());
            await FakeGroqServer.Reply(GroqStream.Reply(new string('x', 600), pieceLength: 6), delay: TimeSpan.FromMilliseconds(20))(context);
        });
        using var stop = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in Client().GetStreamingResponseAsync(Prompt(), cancellationToken: stop.Token))
            {
                if (update.Text.Length > 0)
                {
                    stop.Cancel();
                }
            }
        });

        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_time_the_caller_takes_with_an_update_is_not_counted_as_the_providers_silence()
    {
        var clock = new FakeTimeProvider();
        var callerHasFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Enqueue(async context =>
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync(GroqStream.Chunk(new { role = "assistant", content = "" }) + GroqStream.Chunk(new { content = "First" }));
            await context.Response.Body.FlushAsync();
            await callerHasFirst.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await context.Response.WriteAsync(GroqStream.Chunk(new { content = ", then the rest." }) +
                GroqStream.Chunk(new { }, "stop", GroqStream.Usage(10, 2)) + GroqStream.Done);
        });

        var received = new StringBuilder();
        await foreach (var update in Client(timeout: TimeSpan.FromSeconds(30), time: clock).GetStreamingResponseAsync(Prompt()))
        {
            if (update.Text.Length > 0 && received.Length == 0)
            {
                clock.Advance(TimeSpan.FromMinutes(2)); // the caller is slow with the first piece: four timeouts' worth
                callerHasFirst.SetResult();
            }
            received.Append(update.Text);
        }

        Assert.Equal("First, then the rest.", received.ToString());
    }

    [Fact]
    public async Task A_silent_server_times_out_with_a_message_naming_the_setting()
    {
        _server.Enqueue(async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));

        var ex = await Assert.ThrowsAsync<LlmException>(() => Client(timeout: TimeSpan.FromMilliseconds(300)).GetResponseAsync(Prompt()));

        Assert.Equal(LlmFailureCategory.Timeout, ex.Category);
        Assert.Contains("LLM_TIMEOUT", ex.Message);
    }
}
