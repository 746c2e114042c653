using BenchmarkDotNet.Running;
using CodeMentor.Benchmarks;

// dotnet run -c Release --project CodeMentor.Benchmarks -- --filter '*'      BenchmarkDotNet benchmarks
// dotnet run -c Release --project CodeMentor.Benchmarks -- load [seconds]   the hub load benchmark
// dotnet run -c Release --project CodeMentor.Benchmarks -- browser          streaming cost in Chromium
// dotnet run -c Release --project CodeMentor.Benchmarks -- pages [n] [rows]   pages ready and first words after Enter, in Chromium
// dotnet run -c Release --project CodeMentor.Benchmarks -- paint [loads] [rows]  cold first paint vs the Blazor Server template
// dotnet run -c Release --project CodeMentor.Benchmarks -- circuits [pages] [chat|page] [exchanges] [conversations]   server memory per idle page
// dotnet run -c Release --project CodeMentor.Benchmarks -- look <dir> | look-diff <dirA> <dirB>   screenshots of the chat page, and a pixel comparison
// dotnet run -c Release --project CodeMentor.Benchmarks -- follow <postgres> <redis> [turns]   a reply followed on another node
// dotnet run -c Release --project CodeMentor.Benchmarks -- retrieval [passages]   course material: ingestion, memory, retrieval latency
// dotnet run -c Release --project CodeMentor.Benchmarks -- retrieval-search <postgres>   retrieval again on material 'retrieval' put there
return args switch
{
    ["load", ..] => await LoadBenchmark.RunAsync(args[1..]),
    ["load-clients"] => await LoadClients.RunAsync(), // the load benchmark's clients, started by it
    ["browser", ..] => await BrowserBenchmark.RunAsync(args[1..]),
    ["pages", ..] => await PageTimingBenchmark.RunAsync(args[1..]),
    ["paint", ..] => await FirstPaintBenchmark.RunAsync(args[1..]),
    ["circuits", ..] => await CircuitMemoryBenchmark.RunAsync(args[1..]),
    ["circuit-pages", _, _, _, _, _, _] => await CircuitMemoryBenchmark.DrivePagesAsync(args[1..]), // the circuits benchmark's pages, started by it
    ["look", ..] => await LookComparison.RunAsync(args[1..]),
    ["look-diff", _, _] => await LookComparison.CompareAsync(args[1..]),
    ["follow", ..] => await FollowBenchmark.RunAsync(args[1..]),
    ["retrieval", ..] => await RetrievalBenchmark.RunAsync(args[1..]),
    ["retrieval-search", ..] => await RetrievalBenchmark.SearchExistingAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(LoadBenchmark).Assembly).Run(args);
    return 0;
}
