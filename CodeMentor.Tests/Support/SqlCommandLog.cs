using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CodeMentor.Tests.Support;

/// <summary>The SQL commands EF Core runs against one SQLite file while the log is open (with their parameter values),
/// from EF Core's diagnostic events: what a page load really reads, whichever component or service reads it.</summary>
public sealed class SqlCommandLog : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly string _dataSource;
    private readonly ConcurrentQueue<string> _commands = new();
    private readonly List<IDisposable> _subscriptions = [];

    private SqlCommandLog(string dataSource)
    {
        _dataSource = dataSource;
        _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    /// <summary>A log that sees every command from its return on. EF Core caches whether anyone listens, per context, for
    /// its logging cache time (pooled contexts keep theirs between uses), so the log waits that long after subscribing,
    /// then runs <paramref name="probe"/> (a query on the same file) until one is seen, and forgets the probe.</summary>
    public static async Task<SqlCommandLog> StartAsync(string sqliteFile, TimeSpan loggingCacheTime, Func<Task> probe)
    {
        var log = new SqlCommandLog(sqliteFile);
        await Task.Delay(loggingCacheTime + TimeSpan.FromMilliseconds(100));
        for (var tries = 0; log._commands.IsEmpty; tries++)
        {
            if (tries == 200)
            {
                throw new TimeoutException("EF Core's diagnostic events never reported the probe's command.");
            }
            await probe();
            if (log._commands.IsEmpty)
            {
                await Task.Delay(50);
            }
        }
        log._commands.Clear();
        return log;
    }

    /// <summary>Each command as "text -- parameter values".</summary>
    public IReadOnlyList<string> Commands => _commands.ToList();

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(listener.Subscribe(this));
            }
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> e)
    {
        if (e.Key == RelationalEventId.CommandExecuted.Name && e.Value is CommandExecutedEventData { Command: var command }
            && command.Connection?.DataSource == _dataSource)
        {
            var values = string.Join(", ", command.Parameters.Cast<System.Data.Common.DbParameter>().Select(p => $"{p.ParameterName}={p.Value}"));
            _commands.Enqueue($"{command.CommandText} -- {values}");
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted() { }
    void IObserver<DiagnosticListener>.OnError(Exception error) { }
    void IObserver<KeyValuePair<string, object?>>.OnCompleted() { }
    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error) { }

    public void Dispose()
    {
        lock (_subscriptions)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }
        }
    }
}
