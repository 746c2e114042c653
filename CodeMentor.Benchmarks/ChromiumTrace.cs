using System.Text.Json;
using Microsoft.Playwright;

namespace CodeMentor.Benchmarks;

/// <summary>A Chromium performance trace of one page over CDP (the DevTools "Performance" panel's categories),
/// saved as a JSON file that Perfetto or chrome://tracing opens.</summary>
internal sealed class ChromiumTrace
{
    private readonly ICDPSession _session;
    private readonly List<JsonElement> _events = [];
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChromiumTrace(ICDPSession session)
    {
        _session = session;
        session.Event("Tracing.dataCollected").OnEvent += (_, e) =>
        {
            lock (_events)
            {
                _events.AddRange(e!.Value.GetProperty("value").EnumerateArray().Select(x => x.Clone()));
            }
        };
        session.Event("Tracing.tracingComplete").OnEvent += (_, _) => _complete.TrySetResult();
    }

    public static async Task<ChromiumTrace> StartAsync(IPage page) => await StartAsync(await page.Context.NewCDPSessionAsync(page));

    public static async Task<ChromiumTrace> StartAsync(ICDPSession session)
    {
        var trace = new ChromiumTrace(session);
        await session.SendAsync("Tracing.start", new()
        {
            ["categories"] = "devtools.timeline,disabled-by-default-devtools.timeline,blink.user_timing,loading",
            ["transferMode"] = "ReportEvents",
        });
        return trace;
    }

    /// <summary>Ends the trace and writes what it recorded.</summary>
    public async Task SaveAsync(string path)
    {
        await _session.SendAsync("Tracing.end");
        await _complete.Task;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        lock (_events)
        {
            File.WriteAllText(path, JsonSerializer.Serialize(new { traceEvents = _events }));
        }
    }
}
