using BenchmarkDotNet.Running;
using CodeMentor.Benchmarks;

// dotnet run -c Release --project CodeMentor.Benchmarks -- --filter '*'      BenchmarkDotNet benchmarks
// dotnet run -c Release --project CodeMentor.Benchmarks -- load [seconds]   the hub load benchmark
// dotnet run -c Release --project CodeMentor.Benchmarks -- browser          streaming cost in Chromium
// dotnet run -c Release --project CodeMentor.Benchmarks -- pages            pages ready and first words after Enter, in Chromium
return args switch
{
    ["load", ..] => await LoadBenchmark.RunAsync(args[1..]),
    ["browser", ..] => await BrowserBenchmark.RunAsync(args[1..]),
    ["pages", ..] => await PageTimingBenchmark.RunAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(LoadBenchmark).Assembly).Run(args);
    return 0;
}
