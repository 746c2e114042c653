using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using CodeMentor.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CodeMentor.Tests.Integration;

/// <summary>
/// Sign-in is throttled per client address and per account, over HTTP: a flood of wrong passwords
/// gets 429 with Retry-After, unknown and known emails get the same answer, and nobody can lock a
/// learner out. Tests stand in for several client addresses with an X-Test-Client header that a
/// test-only startup filter turns into the connection's remote address.
/// </summary>
public sealed partial class SignInThrottleTests : IAsyncLifetime
{
    private readonly string _folder = TempFolder.Create();
    private WebApplicationFactory<Program> _app = default!;

    public Task InitializeAsync()
    {
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:CodeMentor", $"Data Source={Path.Combine(_folder, "signin.db")}");
            web.ConfigureServices(s => s.AddTransient<IStartupFilter, TestClientAddress>());
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        TempFolder.Delete(_folder);
    }

    private sealed class TestClientAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue("X-Test-Client", out var address))
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(address.ToString());
                }
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    private async Task RegisterAsync(string email, string password)
    {
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await client.GetStringAsync("/account/register");
        var token = AntiforgeryField().Match(form).Groups[1].Value;
        var response = await client.PostAsync("/account/register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["_handler"] = "register",
            ["Input.Email"] = email, ["Input.Password"] = password, ["Input.ConfirmPassword"] = password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    private async Task<HttpResponseMessage> TokenAsync(string client, string email, string password)
    {
        var http = _app.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token") { Content = JsonContent.Create(new { email, password }) };
        request.Headers.Add("X-Test-Client", client);
        return await http.SendAsync(request);
    }

    [Fact]
    public async Task A_flood_of_wrong_logins_from_one_address_is_answered_with_429_and_retry_after()
    {
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 200; i++)
        {
            var response = await TokenAsync("203.0.113.7", $"nobody{i}@example.org", "wrong-password");
            statuses.Add(response.StatusCode);
            refused ??= response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }

        Assert.True(statuses.Count(s => s == HttpStatusCode.Unauthorized) <= 30, $"{statuses.Count(s => s == HttpStatusCode.Unauthorized)} attempts were checked");
        Assert.True(statuses.Count(s => s == HttpStatusCode.TooManyRequests) >= 170);
        Assert.NotNull(refused!.Headers.RetryAfter);
        Assert.Contains("Too many sign-in attempts", await refused.Content.ReadAsStringAsync());
        // Another address is not affected.
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync("198.51.100.2", "someone@example.org", "wrong-password")).StatusCode);
    }

    [Fact]
    public async Task Unknown_and_known_emails_get_the_same_answer()
    {
        await RegisterAsync("ada@example.org", "correct-horse-42");

        var known = await (await TokenAsync("203.0.113.8", "ada@example.org", "wrong-password")).Content.ReadFromJsonAsync<Problem>();
        var unknown = await (await TokenAsync("203.0.113.8", "nobody@example.org", "wrong-password")).Content.ReadFromJsonAsync<Problem>();

        Assert.Equal("The email or password is not right.", known!.Detail);
        Assert.Equal(known.Detail, unknown!.Detail);
        Assert.Equal(known.Status, unknown.Status);
    }

    [Fact]
    public async Task Wrong_passwords_from_elsewhere_never_lock_the_learner_out()
    {
        await RegisterAsync("ada@example.org", "correct-horse-42");
        for (var i = 0; i < 10; i++)
        {
            await TokenAsync("203.0.113.9", "ada@example.org", "guess-" + i);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await TokenAsync("203.0.113.9", "ada@example.org", "guess-again")).StatusCode);

        var own = await TokenAsync("192.0.2.10", "ada@example.org", "correct-horse-42");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Contains("accessToken", await own.Content.ReadAsStringAsync());
    }

    private sealed record Problem(string? Detail, int? Status);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
