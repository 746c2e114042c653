using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using CodeMentor.Tests.Support;
using CodeMentor.Testing;

namespace CodeMentor.Tests.Startup;

/// <summary>
/// The portal started the way a user starts it: the built CodeMentor.Web.dll as its own process,
/// with nothing but environment variables. Bad settings stop it with one line each (no stack
/// trace); good ones give Production behaviour on the port the user asked for.
/// </summary>
public sealed class StartupTests : IDisposable
{
    private readonly string _folder = TempFolder.Create();

    private static string WebFolder => AppContext.BaseDirectory.Replace("CodeMentor.Tests", "CodeMentor.Web");

    internal Process Start(Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet", Path.Combine(WebFolder, "CodeMentor.Web.dll"))
        {
            WorkingDirectory = WebFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // A clean environment for what matters: no inherited ASPNETCORE_/LLM_/GROQ_ settings.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_") || k.StartsWith("DOTNET_ENVIRONMENT")
                     || k.StartsWith("LLM_") || k.StartsWith("GROQ_") || k.StartsWith("OPENAI_") || k.StartsWith("SMTP_") || k.StartsWith("EMAIL_")
                     || k.StartsWith("OTEL_") || k.StartsWith("CODEMENTOR_DB") || k == "REDIS_URL" || k == "CODEMENTOR_PUBLIC_URL").ToList())
        {
            info.Environment.Remove(key);
        }
        info.Environment["CODEMENTOR_DB"] = Path.Combine(_folder, "startup.db");
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{LocalPort.Free()}";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        return Process.Start(info)!;
    }

    private async Task<(int Exit, string Error)> RunToExitAsync(Dictionary<string, string> environment)
    {
        using var process = Start(environment);
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        await output;
        return (process.ExitCode, await error);
    }

    [Theory]
    [InlineData("GROQ_RATE_LIMIT_RPM", "abc", "GROQ_RATE_LIMIT_RPM must be a whole number from 1 to 100,000; it is 'abc'.")]
    [InlineData("GROQ_RATE_LIMIT_RPM", "-5", "GROQ_RATE_LIMIT_RPM must be a whole number from 1 to 100,000; it is '-5'.")]
    [InlineData("GROQ_RATE_LIMIT_RPD", "0", "GROQ_RATE_LIMIT_RPD must be a whole number from 1 to 10,000,000; it is '0'.")]
    [InlineData("LLM_TEMPERATURE", "abc", "LLM_TEMPERATURE must be a number from 0 to 2; it is 'abc'.")]
    [InlineData("LLM_ENABLED", "maybe", "LLM_ENABLED must be true or false; it is 'maybe'.")]
    [InlineData("SMTP_PORT", "70000", "SMTP_PORT must be a whole number from 1 to 65,535; it is '70000'.")]
    [InlineData("SMTP_SECURITY", "tls", "SMTP_SECURITY must be one of auto, starttls, ssl, none; it is 'tls'.")]
    [InlineData("CODEMENTOR_DB_PROVIDER", "mysql", "CODEMENTOR_DB_PROVIDER must be one of sqlite, postgres; it is 'mysql'.")]
    [InlineData("REDIS_URL", "redis://", "REDIS_URL must look like redis://host:6379 or rediss://:password@host:6380/0.")]
    public async Task An_unusable_setting_stops_the_app_with_one_line_that_names_the_variable(string variable, string value, string line)
    {
        var (exit, error) = await RunToExitAsync(new() { [variable] = value });

        Assert.Equal(78, exit);
        Assert.Contains("  " + line, error.Split('\n').Select(l => l.TrimEnd('\r')));
        Assert.DoesNotContain("   at ", error); // no stack trace
        Assert.DoesNotContain("Exception", error);
    }

    [Fact]
    public async Task A_mail_server_without_the_public_address_and_sender_is_refused_naming_both()
    {
        var (exit, error) = await RunToExitAsync(new() { ["SMTP_HOST"] = "mail.school.example", ["EMAIL_FROM"] = "not an address" });

        Assert.Equal(78, exit);
        Assert.Contains("CODEMENTOR_PUBLIC_URL must be set too", error);
        Assert.Contains("EMAIL_FROM must be the sender's address", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task PostgreSQL_without_a_usable_connection_string_is_refused_without_echoing_it()
    {
        var (missingExit, missing) = await RunToExitAsync(new() { ["CODEMENTOR_DB_PROVIDER"] = "postgres", ["CODEMENTOR_DB"] = "" });
        var (garbledExit, garbled) = await RunToExitAsync(new()
        {
            ["CODEMENTOR_DB_PROVIDER"] = "postgres", ["CODEMENTOR_DB_CONNECTION"] = "Hots=db;Password=hunter2-secret",
        });

        Assert.Equal(78, missingExit);
        Assert.Contains("no connection string is set: set CODEMENTOR_DB_CONNECTION", missing);
        Assert.Equal(78, garbledExit);
        Assert.Contains("CODEMENTOR_DB_CONNECTION is not a PostgreSQL connection string", garbled);
        Assert.DoesNotContain("hunter2", garbled);
        Assert.DoesNotContain("   at ", missing + garbled);
    }

    [Fact]
    public async Task A_PostgreSQL_server_that_does_not_answer_stops_the_app_naming_the_database_but_not_the_password()
    {
        var (exit, error) = await RunToExitAsync(new()
        {
            ["CODEMENTOR_DB_PROVIDER"] = "postgres",
            ["CODEMENTOR_DB_CONNECTION"] = $"Host=127.0.0.1;Port={LocalPort.Free()};Database=codementor;Username=cm;Password=hunter2-secret;Timeout=3",
        });

        Assert.Equal(69, exit);
        Assert.Contains("CodeMentor cannot start: PostgreSQL database 'codementor' on 127.0.0.1:", error);
        Assert.DoesNotContain("hunter2", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task Several_bad_settings_are_all_named_at_once()
    {
        var (exit, error) = await RunToExitAsync(new() { ["LLM_TEMPERATURE"] = "abc", ["LLM_ENABLED"] = "maybe", ["GROQ_RATE_LIMIT_RPM"] = "0" });

        Assert.Equal(78, exit);
        Assert.Contains("LLM_TEMPERATURE", error);
        Assert.Contains("LLM_ENABLED", error);
        Assert.Contains("GROQ_RATE_LIMIT_RPM", error);
    }

    [Fact]
    public async Task The_default_run_behaves_as_deployed_on_the_port_the_user_chose()
    {
        var port = LocalPort.Free();
        using var process = Start(new() { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" });
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await ServingAsync(http);

            // The framework's script is served when run from source, outside Development too.
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/_framework/blazor.web.js")).StatusCode);

            // A malformed request gets a plain 400: no developer exception page, no stack trace, no cookies echoed.
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token") { Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("Cookie", "codementor.auth=secret-cookie-value");
            var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.DoesNotContain("secret-cookie-value", body);
            Assert.DoesNotContain("   at ", body);
            Assert.DoesNotContain("Development", body);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Every_stylesheet_and_script_a_page_links_is_sent_compressed_and_cached_for_good()
    {
        var port = LocalPort.Free();
        using var process = Start(new() { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" });
        try
        {
            using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            };
            await ServingAsync(http);
            var page = await http.GetStringAsync("/account/login");
            var links = Regex.Matches(page, "<(?:link rel=\"stylesheet\" href|script src)=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
            // MudBlazor's stylesheet (627 KB, render-blocking) and script, the app's styles and scripts, the framework's.
            Assert.Equal(6, links.Count);
            Assert.Contains(links, l => l.StartsWith("_content/MudBlazor/MudBlazor.min.") && l.EndsWith(".css"));

            foreach (var link in links)
            {
                var original = await http.GetByteArrayAsync(link); // no Accept-Encoding: the file itself
                using var request = new HttpRequestMessage(HttpMethod.Get, link);
                request.Headers.AcceptEncoding.ParseAdd("gzip, br");
                using var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                var sent = await response.Content.ReadAsByteArrayAsync();
                var encoding = Assert.Single(response.Content.Headers.ContentEncoding);
                Assert.Equal(original, Decompress(sent, encoding));
                // Compressed, not only wrapped: a build's reloader answers with gzip that holds the bytes unpacked.
                Assert.True(sent.Length * 2 < original.Length, $"{link}: {sent.Length:N0} bytes sent for {original.Length:N0}");
                // @Assets links fingerprinted addresses, whose content never changes: no request on the next visit.
                Assert.Equal("max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static byte[] Decompress(byte[] sent, string encoding)
    {
        using var input = new MemoryStream(sent);
        using Stream decoder = encoding switch
        {
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            "br" => new BrotliStream(input, CompressionMode.Decompress),
            _ => throw new InvalidOperationException($"Unexpected Content-Encoding {encoding}"),
        };
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    private static Task ServingAsync(HttpClient http) => Eventually.TrueAsync(async () =>
    {
        try
        {
            return (await http.GetAsync("/account/login")).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }, TimeSpan.FromSeconds(60));

    public void Dispose() => TempFolder.Delete(_folder);
}
