using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CodeMentor.Core.Data;

/// <summary>
/// The database writer's transaction for one batch, with a savepoint before each write so a failing write is rolled
/// back alone. On PostgreSQL (and any connection the writer does not keep) it is EF Core's transaction. On the writer's
/// kept SQLite connection it is SQLite's own BEGIN IMMEDIATE / SAVEPOINT / ROLLBACK TO / COMMIT, each compiled once
/// (<see cref="ReusedStatements.Run"/>): EF Core's transaction made a transaction object, its events and a new
/// Microsoft.Data.Sqlite command compiled for every one of those statements, in every batch. EF Core is told not to
/// wrap SaveChanges in a transaction of its own there (it cannot see SQLite's), so each write's statements run inside
/// the batch's transaction, as they do inside EF Core's.
/// </summary>
internal abstract class WriterTransaction : IAsyncDisposable
{
    public static async Task<WriterTransaction> BeginAsync(AppDbContext context, ReusedStatements? kept)
    {
        if (kept is not null)
        {
            context.Database.AutoTransactionBehavior = AutoTransactionBehavior.Never;
            try
            {
                kept.Run("BEGIN IMMEDIATE");
            }
            catch
            {
                context.Database.AutoTransactionBehavior = AutoTransactionBehavior.WhenNeeded;
                if (kept.InTransaction)
                {
                    kept.DiscardConnection(); // a transaction left open by something else: never hand this connection out again
                }
                throw;
            }
            return new Sqlite(context, kept);
        }
        // The writer sets its own savepoints: EF Core's, around every SaveChanges in a transaction, would add two more
        // statements to every write.
        context.Database.AutoSavepointsEnabled = false;
        return new EntityFramework(await context.Database.BeginTransactionAsync());
    }

    /// <summary>Marks the point the next write is rolled back to if it fails.</summary>
    public abstract Task SavepointAsync();

    public abstract Task RollbackToSavepointAsync();

    public abstract Task CommitAsync();

    /// <summary>Rolls back whatever was not committed.</summary>
    public abstract ValueTask DisposeAsync();

    private sealed class EntityFramework(IDbContextTransaction transaction) : WriterTransaction
    {
        private const string Savepoint = "w";

        public override Task SavepointAsync() => transaction.CreateSavepointAsync(Savepoint);

        public override Task RollbackToSavepointAsync() => transaction.RollbackToSavepointAsync(Savepoint);

        public override Task CommitAsync() => transaction.CommitAsync();

        public override ValueTask DisposeAsync() => transaction.DisposeAsync();
    }

    // One savepoint name for every write: SQLite keeps each SAVEPOINT on a stack, and ROLLBACK TO returns to the most
    // recent of that name, the one set before the write that failed. A constant text stays compiled.
    private sealed class Sqlite(AppDbContext context, ReusedStatements kept) : WriterTransaction
    {
        public override Task SavepointAsync()
        {
            kept.Run("SAVEPOINT w");
            return Task.CompletedTask;
        }

        public override Task RollbackToSavepointAsync()
        {
            kept.Run("ROLLBACK TO w");
            return Task.CompletedTask;
        }

        public override Task CommitAsync()
        {
            kept.Run("COMMIT");
            return Task.CompletedTask;
        }

        public override ValueTask DisposeAsync()
        {
            context.Database.AutoTransactionBehavior = AutoTransactionBehavior.WhenNeeded;
            if (kept.InTransaction)
            {
                try
                {
                    kept.Run("ROLLBACK");
                }
                catch
                {
                    // A connection whose transaction could not be rolled back must not be handed out again by the pool.
                    kept.DiscardConnection();
                    throw;
                }
            }
            return ValueTask.CompletedTask;
        }
    }
}
