using CodeMentor.Core.Data;
using CodeMentor.Core.Usage;

namespace CodeMentor.Web;

/// <summary>Maintenance commands run instead of the web server:
/// <c>dotnet run --project CodeMentor.Web -- seed-usage [rows] [days]</c>.</summary>
internal static class Commands
{
    public static async Task<bool> RunCommandAsync(this WebApplication app, string[] args)
    {
        if (args is not ["seed-usage", ..])
        {
            return false;
        }
        var rows = args.Length > 1 && int.TryParse(args[1], out var r) && r > 0 ? r : 20_000;
        var days = args.Length > 2 && int.TryParse(args[2], out var d) && d > 0 ? d : 30;
        await app.Services.GetServices<IHostedService>().OfType<DatabaseInitializer>().Single().StartAsync(CancellationToken.None);
        Console.WriteLine($"Seeding {rows:N0} ledger rows over {days} days…");
        var started = DateTime.UtcNow;
        var progress = new Progress<int>(n =>
        {
            if (n % 100_000 == 0 || n == rows)
            {
                Console.WriteLine($"  {n:N0} rows");
            }
        });
        await app.Services.GetRequiredService<UsageSeeder>().SeedAsync(rows, days, progress: progress);
        Console.WriteLine($"Done in {(DateTime.UtcNow - started).TotalSeconds:0.0} s.");
        return true;
    }
}
