using CodeMentor.Core.Tutoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Core.Data;

/// <summary>Creates or upgrades the database by migrations at startup, then marks replies that a
/// previous process left "streaming" as failed, keeping their checkpointed text.</summary>
public sealed partial class DatabaseInitializer(IDbContextFactory<AppDbContext> db, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public const string InterruptedDetail =
        "The server restarted during this reply. The text so far was kept; use Regenerate to try again.";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        EnsureDataDirectory(context.Database.GetConnectionString());
        await context.Database.MigrateAsync(cancellationToken);
        var recovered = await context.Messages.Where(m => m.Status == MessageStatus.Streaming)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, MessageStatus.Failed)
                                      .SetProperty(m => m.StatusDetail, InterruptedDetail), cancellationToken);
        if (recovered > 0)
        {
            LogRecovered(logger, recovered);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static void EnsureDataDirectory(string? connectionString)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Marked {Count} interrupted replies as failed")]
    private static partial void LogRecovered(ILogger logger, int count);
}
