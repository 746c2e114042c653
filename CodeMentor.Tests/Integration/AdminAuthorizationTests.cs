using System.Net;
using System.Text.RegularExpressions;
using CodeMentor.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CodeMentor.Tests.Integration;

/// <summary>Admin pages and the CSV export are refused on the server to learners (403) and to
/// anonymous visitors (sign-in), whatever address they type.</summary>
public sealed partial class AdminAuthorizationTests : IAsyncLifetime
{
    private readonly string _folder = TempFolder.Create();
    private WebApplicationFactory<Program> _app = default!;

    public Task InitializeAsync()
    {
        _app = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
            web.UseSetting("ConnectionStrings:CodeMentor", $"Data Source={Path.Combine(_folder, "auth.db")}"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        TempFolder.Delete(_folder);
    }

    /// <summary>Registers through the real form (antiforgery token and all) and returns a client with the cookie.</summary>
    private async Task<HttpClient> RegisterAsync(string email)
    {
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await client.GetStringAsync("/account/register");
        var token = AntiforgeryField().Match(form).Groups[1].Value;
        var response = await client.PostAsync("/account/register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["_handler"] = "register",
            ["Input.Email"] = email,
            ["Input.Password"] = "correct-horse-42",
            ["Input.ConfirmPassword"] = "correct-horse-42",
        }));
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther,
            $"registration answered {(int)response.StatusCode}");
        return client;
    }

    [Theory]
    [InlineData("/admin")]
    [InlineData("/admin/ledger")]
    [InlineData("/admin/users")]
    [InlineData("/admin/users/some-user-id")]
    [InlineData("/admin/ledger.csv?from=2026-11-01&to=2026-11-30")]
    public async Task A_learner_gets_403_on_every_admin_address(string path)
    {
        await RegisterAsync("admin@example.org"); // the first account is the admin
        var learner = await RegisterAsync("learner@example.org");

        var response = await learner.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("admin@example.org", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_first_account_is_admin_and_gets_the_dashboard_and_the_export()
    {
        var admin = await RegisterAsync("admin@example.org");

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin")).StatusCode);
        var csv = await admin.GetAsync("/admin/ledger.csv?from=2026-11-01&to=2026-11-30");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("timestamp_utc,user_id", await csv.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in()
    {
        var anonymous = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await anonymous.GetAsync("/admin");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/login", response.Headers.Location!.ToString());
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
