using System.Globalization;
using System.Text;
using System.Text.Json;
using CodeMentor.Testing;
using Microsoft.Playwright;

namespace CodeMentor.Benchmarks;

/// <summary>
/// What streaming a reply costs the browser, measured in Debian's headless Chromium over the
/// DevTools protocol: bytes the portal sends over its Blazor WebSocket (CDP
/// <c>Network.webSocketFrameReceived</c>) and main-thread task time (<c>Performance.getMetrics</c>
/// TaskDuration), from pressing Enter until the reply is complete. Each reply size is measured
/// twice in the same run: streamed at 5,000 tokens/s, and as the baseline the same text arriving
/// in one piece, so the page renders the finished reply once.
/// </summary>
public static class BrowserBenchmark
{
    private const double TokensPerSecond = 5000;
    private const int CharsPerToken = 4;
    private const string Password = "correct-horse-42";

    private sealed record Cost(double Bytes, double MainThreadMs, double Seconds, double ScriptMs = 0, double LayoutMs = 0);

    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = args.Length > 0 ? args[0].Split(',').Select(int.Parse).ToArray() : [1000, 4000, 16000];
        // CODEMENTOR_BROWSER_TEXT=a.md,b.md streams those documents instead of the generated replies: Markdown nobody
        // here wrote (a package's README, a FAQ), each as one reply.
        var replies = Environment.GetEnvironmentVariable("CODEMENTOR_BROWSER_TEXT") is { Length: > 0 } files
            ? files.Split(',').Select(PublishedReply).ToArray()
            : sizes.Select(size => (Label: $"{size:N0} tokens", Text: ReplyText(size), MustShow: (string?)"part 1")).ToArray();
        var repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        await using var portal = await BenchmarkPortal.StartAsync("browser");
        var groq = portal.Groq;
        var context = await portal.NewContextAsync(1280, 900, timeoutMs: 120_000);
        var page = await context.NewPageAsync();
        await RegisterAsync(page);

        Console.WriteLine(portal.Header("Browser streaming benchmark"));
        Console.WriteLine($"Streamed at {TokensPerSecond:N0} tokens/s ({CharsPerToken} characters per token); median of {repeats} turns each.");
        Console.WriteLine();
        Console.WriteLine("| Reply | Shown | WebSocket bytes | Main-thread time (script / style + layout) | Bytes ratio | Main-thread ratio |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|");

        var session = await context.NewCDPSessionAsync(page);
        await session.SendAsync("Network.enable");
        await session.SendAsync("Performance.enable");
        long received = 0;
        session.Event("Network.webSocketFrameReceived").OnEvent += (_, e) =>
        {
            var response = e!.Value.GetProperty("response");
            var payload = response.GetProperty("payloadData").GetString() ?? "";
            // Opcode 1 is text; Blazor's binary frames (opcode 2) arrive base64-encoded.
            var bytes = response.GetProperty("opcode").GetInt32() == 2 ? payload.Length / 4 * 3 - payload.Count(c => c == '=') : Encoding.UTF8.GetByteCount(payload);
            Interlocked.Add(ref received, bytes);
        };

        try
        {
            await TurnAsync(page, session, groq, ReplyText(200), "part 1", streamed: true, () => Interlocked.Read(ref received)); // warm-up
            foreach (var (label, text, mustShow) in replies)
            {
                var once = new List<Cost>();
                var streamed = new List<Cost>();
                for (var r = 0; r < repeats; r++)
                {
                    once.Add(await TurnAsync(page, session, groq, text, mustShow, streamed: false, () => Interlocked.Read(ref received)));
                    streamed.Add(await TurnAsync(page, session, groq, text, mustShow, streamed: true, () => Interlocked.Read(ref received)));
                }
                var o = Median(once);
                var s = Median(streamed);
                Console.WriteLine($"| {label} | finished, once | {o.Bytes / 1024:N0} KB | {o.MainThreadMs:N0} ms ({o.ScriptMs:N0} / {o.LayoutMs:N0}) | | |");
                Console.WriteLine($"| | streamed ({s.Seconds:0.0} s) | {s.Bytes / 1024:N0} KB | {s.MainThreadMs:N0} ms ({s.ScriptMs:N0} / {s.LayoutMs:N0}) | " +
                    $"**{s.Bytes / o.Bytes:0.00}×** | **{s.MainThreadMs / o.MainThreadMs:0.00}×** |");
            }
        }
        catch (Exception) when (!page.IsClosed)
        {
            // A run that stops (it did twice, at a "New conversation" click) leaves the page as it was, to see why.
            var shot = Path.Combine(Path.GetTempPath(), "codementor-browser-benchmark-failure.png");
            await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
            await Console.Error.WriteLineAsync($"The benchmark stopped on {page.Url}; the page then: {shot}");
            throw;
        }

        await context.CloseAsync();
        return 0;
    }

    private static Cost Median(List<Cost> costs) => new(
        costs.Select(c => c.Bytes).Order().ElementAt(costs.Count / 2),
        costs.Select(c => c.MainThreadMs).Order().ElementAt(costs.Count / 2),
        costs.Select(c => c.Seconds).Order().ElementAt(costs.Count / 2),
        costs.Select(c => c.ScriptMs).Order().ElementAt(costs.Count / 2),
        costs.Select(c => c.LayoutMs).Order().ElementAt(costs.Count / 2));

    /// <summary>One question in a new conversation: the cost from Enter until the reply is shown complete.</summary>
    private static async Task<Cost> TurnAsync(IPage page, ICDPSession session, FakeGroqServer groq, string text, string? mustShow, bool streamed,
        Func<long> received)
    {
        var events = GroqStream.Reply(text, pieceLength: streamed ? CharsPerToken : text.Length, promptTokens: 120);
        groq.Default = streamed ? FakeGroqServer.ReplyAtRate(events, TokensPerSecond) : FakeGroqServer.Reply(events);

        await page.GotoAsync("chat");
        await Assertions.Expect(page.Locator("[data-testid=chat-page]")).ToHaveAttributeAsync("data-ready", "true");
        await page.ClickAsync("[data-testid=new-conversation]");
        await page.WaitForURLAsync("**/chat/*");
        await Assertions.Expect(page.Locator("[data-testid=conversation-title]")).ToBeVisibleAsync();
        var input = page.Locator("[data-testid=chat-input]");
        await Assertions.Expect(input).ToHaveAttributeAsync("data-keys-ready", "true");
        await input.FillAsync("Explain loops to me, with examples.");
        await Task.Delay(300); // let the fill's own traffic settle before the counters are read

        // CODEMENTOR_BROWSER_TRACE=file.json records a Chromium trace of the streamed turns (for chrome://tracing or Perfetto).
        var trace = streamed ? Environment.GetEnvironmentVariable("CODEMENTOR_BROWSER_TRACE") : null;
        var traceRecording = trace is null ? null : await ChromiumTrace.StartAsync(session);
        var bytesBefore = received();
        var taskBefore = await TaskDurationAsync(session);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await input.PressAsync("Enter");
        // The new conversation opens with a greeting: wait for the reply that ends this text.
        var reply = page.Locator("[data-testid=message][data-role=Assistant][data-status=Complete]")
            .Filter(new() { HasText = ReplyEnd });
        await Assertions.Expect(reply).ToHaveCountAsync(1, new() { Timeout = 120_000 });
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        await Task.Delay(500); // the last frames and their rendering
        var taskAfter = await TaskDurationAsync(session);
        if (traceRecording is not null)
        {
            await traceRecording.SaveAsync(trace!);
        }
        // What is measured includes keeping the newest text in view: a page that stopped following would look cheaper.
        var gap = await page.EvaluateAsync<double>("() => { const e = document.querySelector('[data-testid=chat-scroller]'); return e.scrollHeight - e.scrollTop - e.clientHeight; }");
        if (gap > 48)
        {
            throw new InvalidOperationException($"The thread did not follow the reply to its end ({gap:0} px above the bottom).");
        }
        var shown = await reply.Locator("[data-testid=message-text]").TextContentAsync() ?? "";
        if ((mustShow is not null && !shown.Contains(mustShow, StringComparison.Ordinal)) || await page.Locator("[data-status=Streaming]").CountAsync() > 0)
        {
            throw new InvalidOperationException("The reply was not shown whole.");
        }
        return new Cost(received() - bytesBefore, (taskAfter.Task - taskBefore.Task) * 1000, seconds,
            (taskAfter.Script - taskBefore.Script) * 1000, (taskAfter.Layout - taskBefore.Layout) * 1000);
    }

    /// <summary>Chromium's cumulative main-thread times (seconds): all tasks, script, style and layout.</summary>
    private static async Task<(double Task, double Script, double Layout)> TaskDurationAsync(ICDPSession session)
    {
        var metrics = (await session.SendAsync("Performance.getMetrics"))!.Value.GetProperty("metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("value").GetDouble());
        return (metrics["TaskDuration"], metrics["ScriptDuration"], metrics["LayoutDuration"] + metrics["RecalcStyleDuration"]);
    }

    internal static async Task RegisterAsync(IPage page, string? email = null)
    {
        await page.GotoAsync("account/register");
        await page.FillAsync("#email", email ?? $"browser-{Guid.NewGuid():N}@example.org");
        await page.FillAsync("#password", Password);
        await page.FillAsync("#confirm", Password);
        await page.ClickAsync("[data-testid=register-submit]");
        await page.WaitForURLAsync("**/chat");
    }

    private const string ReplyEnd = "That is the end of the explanation.";

    /// <summary>A published Markdown document as a reply: labelled by its folder and name, and shown whole when its
    /// first heading is (raw HTML in it is shown as text, so only a Markdown heading is looked for).</summary>
    private static (string Label, string Text, string? MustShow) PublishedReply(string path)
    {
        var markdown = File.ReadAllText(path);
        var heading = markdown.Split('\n').Select(line => line.TrimEnd()).FirstOrDefault(line => line.StartsWith("# ", StringComparison.Ordinal));
        var label = $"{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)))}/{Path.GetFileName(path)}, " +
            $"{(markdown.Length + CharsPerToken - 1) / CharsPerToken:N0} tokens";
        return (label, markdown + "\n\n" + ReplyEnd, heading?[2..].Trim());
    }

    /// <summary>A tutor-like Markdown reply of about the given number of tokens: paragraphs,
    /// lists, inline code, emphasis, links and fenced code blocks, as a real explanation has.</summary>
    internal static string ReplyText(int tokens)
    {
        var sections = new[]
        {
            "## Loops, step {0}\n\nA **loop** repeats a block of code while a condition holds. In Python, `for item in items:` visits each " +
            "element once, and `while total < limit:` keeps going until the condition is *false*.\n\n",
            "Things to remember in part {0}:\n\n- `range(n)` stops **before** `n`.\n- `break` leaves the loop early.\n" +
            "- `continue` skips to the next round.\n\n",
            "```python\ndef sum_even(values):\n    total = 0\n    for value in values:\n        if value % 2 == 0:\n" +
            "            total += value\n    return total  # part {0}\n```\n\n",
            "> Try it yourself: what does `sum_even([1, 2, 3, 4])` return? See [the tutorial](https://docs.python.org/3/tutorial/) " +
            "for more, then change the loop so it stops at the first negative number.\n\n",
            "1. Read the condition.\n2. Run the body.\n3. Go back to step 1 — until the condition is false (round {0}).\n\n",
        };
        var builder = new StringBuilder();
        for (var i = 0; builder.Length < tokens * CharsPerToken - 40; i++)
        {
            builder.AppendFormat(CultureInfo.InvariantCulture, sections[i % sections.Length], i / sections.Length + 1);
        }
        builder.Append(ReplyEnd);
        return builder.ToString();
    }
}
