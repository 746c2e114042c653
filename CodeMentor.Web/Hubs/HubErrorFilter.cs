using Microsoft.AspNetCore.SignalR;

namespace CodeMentor.Web.Hubs;

/// <summary>
/// Hub clients get a message they can act on: a HubException's own words, or, for anything
/// unexpected, a plain sentence with a reference the administrator finds in the log — never an
/// internal exception's text (which may name tables, files or addresses).
/// </summary>
public sealed partial class HubErrorFilter(ILogger<HubErrorFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocation);
        }
        catch (Exception ex) when (CodeMentor.Core.Data.DatabaseEngine.IsOutage(ex))
        {
            LogDatabaseDown(logger, ex, invocation.HubMethodName);
            throw new HubException(DatabaseOutage.Message);
        }
        catch (Exception ex) when (ex is not HubException and not OperationCanceledException)
        {
            var reference = Guid.NewGuid().ToString("N")[..8];
            LogFailed(logger, ex, invocation.HubMethodName, reference);
            throw new HubException($"{invocation.HubMethodName} failed on the server. Try again; if it keeps failing, give an administrator the reference {reference}.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub call {Method} failed: the database did not answer")]
    private static partial void LogDatabaseDown(ILogger logger, Exception ex, string method);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub call {Method} failed (reference {Reference})")]
    private static partial void LogFailed(ILogger logger, Exception ex, string method, string reference);
}
