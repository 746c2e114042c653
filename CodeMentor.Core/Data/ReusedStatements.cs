using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

namespace CodeMentor.Core.Data;

/// <summary>
/// The SQLite statements of the database writer's kept connection (<see cref="DatabaseWriter"/>), each prepared by
/// SQLite once instead of at every run. EF Core makes a new <see cref="SqliteCommand"/> per statement run and disposes
/// it after, and disposing finalizes SQLite's compiled statement: the next run converts the SQL to UTF-8 and compiles it
/// again (a sixth of the writer thread's busy time at 100 streams, and a share of every turn's allocation). Here a
/// <see cref="PreparedStatement"/> run in a registered context gets a command that stays compiled, with only its
/// parameters new. Registered only for a context whose connection stays open (the writer's), and cleared before that
/// context is disposed, so no command outlives its connection or follows a pooled context to its next user.
/// </summary>
internal sealed class ReusedStatements : IDisposable
{
    private static readonly ConditionalWeakTable<DbContext, ReusedStatements> ByContext = new();

    private readonly DbContext _context;
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, ReusableCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KeptSqliteStatement?> _controls = new(StringComparer.Ordinal);

    private ReusedStatements(DbContext context, SqliteConnection connection)
    {
        _context = context;
        _connection = connection;
    }

    /// <summary>Statements prepared in <paramref name="context"/> (open on SQLite) are kept until <see cref="Dispose"/>.</summary>
    public static ReusedStatements Register(DbContext context)
    {
        var connection = (SqliteConnection)context.Database.GetDbConnection();
        if (connection.State != ConnectionState.Open)
        {
            throw new InvalidOperationException("Statements are kept only on a connection that stays open.");
        }
        var statements = new ReusedStatements(context, connection);
        ByContext.AddOrUpdate(context, statements);
        return statements;
    }

    public static bool TryGet(DbContext? context, [NotNullWhen(true)] out ReusedStatements? statements)
    {
        statements = null;
        return context is not null && ByContext.TryGetValue(context, out statements);
    }

    /// <summary>How many statements are kept compiled.</summary>
    public int Count => _commands.Count;

    /// <summary>How many runs of them went straight to SQLite rather than through Microsoft.Data.Sqlite.</summary>
    public int DirectRuns => _commands.Values.Sum(command => command.DirectRuns);

    /// <summary>The kept command for <paramref name="sql"/>, compiled on first use.</summary>
    public ReusableCommand For(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            var inner = _connection.CreateCommand();
            inner.CommandText = sql;
            inner.Prepare();
            command = new ReusableCommand(inner, KeptSqliteStatement.TryPrepare(_connection, sql));
            _commands.Add(sql, command);
        }
        return command;
    }

    /// <summary>Runs a statement without parameters that is the same every time (BEGIN IMMEDIATE, SAVEPOINT w, COMMIT…),
    /// compiled once; through Microsoft.Data.Sqlite when SQLite is busy (it waits and retries) or the text is not one
    /// statement.</summary>
    public void Run(string sql)
    {
        if (!_controls.TryGetValue(sql, out var statement))
        {
            _controls[sql] = statement = KeptSqliteStatement.TryPrepare(_connection, sql);
        }
        if (statement is not null && statement.TryRun(null, readFirstValue: false, out _, out _))
        {
            return;
        }
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Whether SQLite has a transaction open on the kept connection.</summary>
    public bool InTransaction => _connection.Handle is { } db && SQLitePCL.raw.sqlite3_get_autocommit(db) == 0;

    /// <summary>The kept connection is not to be handed out again by the pool (its state is not known).</summary>
    public void DiscardConnection() => SqliteConnection.ClearPool(_connection);

    /// <summary>Finalizes every kept statement and unregisters the context; its later statements are made per run again.</summary>
    public void Dispose()
    {
        ByContext.Remove(_context);
        foreach (var command in _commands.Values)
        {
            command.Release();
        }
        _commands.Clear();
        foreach (var statement in _controls.Values)
        {
            statement?.Dispose();
        }
        _controls.Clear();
    }
}

/// <summary>
/// A <see cref="PreparedStatement"/>'s command. In a context with <see cref="ReusedStatements"/> it hands EF Core the
/// kept, compiled command (with this run's transaction and parameters) instead of a new one; EF Core then runs it through
/// its pipeline as any other — execution logging, interceptors and diagnostic events, which OpenTelemetry reads, are
/// unchanged; only the command-creation events are not raised for a command that is not created.
/// </summary>
internal sealed class ReusingRelationalCommand(RelationalCommandBuilderDependencies dependencies, string commandText, string logCommandText,
    IReadOnlyList<IRelationalParameter> parameters, IReadOnlyList<RelationalTypeMapping> mappings)
    : RelationalCommand(dependencies, commandText, logCommandText, parameters)
{
    public override DbCommand CreateDbCommand(RelationalCommandParameterObject parameterObject, Guid commandId, DbCommandMethod commandMethod)
    {
        if (!ReusedStatements.TryGet(parameterObject.Context, out var kept))
        {
            return base.CreateDbCommand(parameterObject, commandId, commandMethod);
        }
        var connection = parameterObject.Connection;
        var command = kept.For(CommandText);
        command.Transaction = connection.CurrentTransaction?.GetDbTransaction();
        if (connection.CommandTimeout is { } timeout)
        {
            command.CommandTimeout = timeout;
        }
        command.Bind(Parameters, mappings, parameterObject.ParameterValues!);
        return command;
    }
}

/// <summary>A <see cref="SqliteCommand"/> that EF Core may dispose after each run without finalizing its compiled
/// statement: only <see cref="Release"/> does. Its parameter objects are kept too, with only their values new, and its
/// runs go straight to SQLite through <paramref name="kept"/> where that stores exactly what the command would.</summary>
internal sealed class ReusableCommand(SqliteCommand inner, KeptSqliteStatement? kept) : DbCommand
{
    private DbParameter[]? _parameters;

    /// <summary>Gives the command this run's values. The first run's parameters are made by EF Core, typed by the model;
    /// later runs set the values on those and hand them back, since EF Core clears a command's parameters after every
    /// run. A value is converted to its stored form by the mapping's converter, as EF Core does; EF Core's other step,
    /// changing an integer to an enum or back when the value's type is not the mapping's, never applies here: the values
    /// come from the model's own property getters (<see cref="EntityInsert{TEntity}"/>) or are the properties' types.</summary>
    public void Bind(IReadOnlyList<IRelationalParameter> parameters, IReadOnlyList<RelationalTypeMapping> mappings, IReadOnlyDictionary<string, object?> values)
    {
        if (_parameters is null)
        {
            foreach (var parameter in parameters)
            {
                parameter.AddDbParameter(this, values);
            }
            _parameters = [.. inner.Parameters.Cast<DbParameter>()];
            return;
        }
        for (var i = 0; i < _parameters.Length; i++)
        {
            var value = values[parameters[i].InvariantName];
            if (value is not null && mappings[i].Converter is { } converter)
            {
                value = converter.ConvertToProvider(value);
            }
            _parameters[i].Value = value ?? DBNull.Value;
            inner.Parameters.Add(_parameters[i]);
        }
    }

    [AllowNull]
    public override string CommandText
    {
        get => inner.CommandText;
        // EF Core sets the same text again on every run; a different text would mean a different statement.
        set
        {
            if (!string.Equals(value, inner.CommandText, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("A kept statement's text cannot change.");
            }
        }
    }

    public override int CommandTimeout { get => inner.CommandTimeout; set => inner.CommandTimeout = value; }

    public override CommandType CommandType { get => inner.CommandType; set => inner.CommandType = value; }

    public override bool DesignTimeVisible { get => inner.DesignTimeVisible; set => inner.DesignTimeVisible = value; }

    public override UpdateRowSource UpdatedRowSource { get => inner.UpdatedRowSource; set => inner.UpdatedRowSource = value; }

    protected override DbConnection? DbConnection
    {
        get => inner.Connection;
        set
        {
            if (!ReferenceEquals(value, inner.Connection))
            {
                throw new InvalidOperationException("A kept statement belongs to its connection.");
            }
        }
    }

    protected override DbParameterCollection DbParameterCollection => inner.Parameters;

    protected override DbTransaction? DbTransaction { get => inner.Transaction; set => inner.Transaction = (SqliteTransaction?)value; }

    public override void Cancel() => inner.Cancel();

    /// <summary>Runs that went straight to SQLite.</summary>
    public int DirectRuns { get; private set; }

    public override int ExecuteNonQuery()
    {
        if (Direct() && kept!.TryRun(inner.Parameters, readFirstValue: false, out var changed, out _))
        {
            DirectRuns++;
            return changed;
        }
        return inner.ExecuteNonQuery();
    }

    public override object? ExecuteScalar()
    {
        if (Direct() && kept!.TryRun(inner.Parameters, readFirstValue: true, out _, out var value))
        {
            DirectRuns++;
            return value;
        }
        return inner.ExecuteScalar();
    }

    /// <summary>Whether this run may skip Microsoft.Data.Sqlite. Not when the connection is not open, or a transaction
    /// is given but SQLite has none (it was rolled back by SQLite itself): the command then raises its own error.</summary>
    private bool Direct() =>
        kept is not null && inner.Connection is { State: ConnectionState.Open, Handle: { } db }
        && (inner.Transaction is null || SQLitePCL.raw.sqlite3_get_autocommit(db) == 0);

    public override void Prepare() => inner.Prepare();

    protected override DbParameter CreateDbParameter() => inner.CreateParameter();

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => inner.ExecuteReader(behavior);

    // SQLite runs synchronously: Microsoft.Data.Sqlite's async methods run the synchronous ones too.
    public override Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(ExecuteNonQuery());
    }

    public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(ExecuteScalar());
    }

    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken) =>
        await inner.ExecuteReaderAsync(behavior, cancellationToken);

    // EF Core disposes every command after its run: a kept one forgets the run's transaction and stays compiled.
    protected override void Dispose(bool disposing) => inner.Transaction = null;

    public override ValueTask DisposeAsync()
    {
        inner.Transaction = null;
        return ValueTask.CompletedTask;
    }

    /// <summary>Finalizes the compiled statement (the connection is closing or no longer kept).</summary>
    public void Release()
    {
        kept?.Dispose();
        inner.Dispose();
    }
}
