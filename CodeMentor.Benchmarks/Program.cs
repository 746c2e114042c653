using BenchmarkDotNet.Running;

// dotnet run -c Release --project CodeMentor.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
