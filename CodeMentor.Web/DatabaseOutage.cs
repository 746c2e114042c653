using System.Globalization;
using CodeMentor.Core.Data;
using CodeMentor.Web.OpenAiApi;

namespace CodeMentor.Web;

/// <summary>
/// A request that fails because the database does not answer gets 503 with Retry-After instead of a
/// 500: the API in OpenAI's error shape (its SDKs retry a 503), other JSON endpoints as a problem,
/// pages through the status page ("try again in a moment"). Readiness (/health/ready) says the same
/// to the load balancer.
/// </summary>
internal static class DatabaseOutage
{
    public const string Message = "CodeMentor's database does not answer right now; nothing was changed. Try again in a few seconds.";
    private const int RetryAfterSeconds = 5;

    public static IApplicationBuilder UseDatabaseOutageAnswers(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (DatabaseEngine.IsOutage(ex) && !context.Response.HasStarted)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseOutage))
                .LogWarning(ex, "The database did not answer; {Path} was answered 503", context.Request.Path.Value);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            if (context.Request.Path.StartsWithSegments("/v1"))
            {
                await context.Response.WriteAsJsonAsync(OpenAiErrors.Body(Message, "server_error", "service_unavailable"));
            }
            else if (context.Request.Path.StartsWithSegments("/api"))
            {
                await Results.Problem(Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Database unavailable").ExecuteAsync(context);
            }
            // Pages: no body, so the status code pages show /status/503.
        }
    });
}
