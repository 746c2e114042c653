using CodeMentor.Core.SharedState;
using CodeMentor.Core.Tutoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace CodeMentor.Core.Data;

/// <summary>Creates or upgrades the database by migrations at startup (with the engine's own steps
/// around them, see <see cref="DatabaseEngine"/>), then, on a lone node, cleans up after a process
/// that ended abruptly (<see cref="OrphanedReplies"/>).</summary>
public sealed class DatabaseInitializer(IDbContextFactory<AppDbContext> db, OrphanedReplies orphans, SharedStateMode sharedState) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var engine = DatabaseEngine.Of(context);
        try
        {
            await engine.BeforeMigrateAsync(context, cancellationToken);
            await context.Database.MigrateAsync(cancellationToken);
            await engine.AfterMigrateAsync(context, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or UnauthorizedAccessException
            || ex.InnerException is System.Data.Common.DbException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new DatabaseUnavailableException(
                $"{engine.Describe()} could not be opened or upgraded: {(ex.InnerException ?? ex).Message}", ex);
        }

        // Several nodes: a node starting must not take the replies other nodes are running (the
        // DeadNodeSweeper finds those of stopped nodes); one node alone owns everything left over.
        if (!sharedState.Distributed)
        {
            await orphans.SweepAllAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The database could not be reached or upgraded at start; the message names the database
/// (never its password) and the cause, for the person starting CodeMentor.</summary>
public sealed class DatabaseUnavailableException(string message, Exception inner) : Exception(message, inner);
