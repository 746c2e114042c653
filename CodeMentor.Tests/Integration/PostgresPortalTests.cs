using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CodeMentor.Core.Data;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.Tutoring;
using CodeMentor.Core.Usage;
using CodeMentor.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace CodeMentor.Tests.Integration;

/// <summary>The whole portal on the test run's throwaway PostgreSQL server: started by configuration
/// alone, migrated at start (twice: the second start finds the schema current), a chat turn and an
/// API call through the real pipeline, the ledger's roll-ups, and readiness.</summary>
public sealed class PostgresPortalTests
{
    [Fact]
    public async Task The_portal_runs_on_PostgreSQL_and_keeps_its_data_across_restarts()
    {
        var server = await PostgresServer.SharedAsync();
        var database = await server.CreateDatabaseAsync();
        // Trust authentication ignores the password; it is here to prove it is never shown.
        var settings = new Dictionary<string, string?>
        {
            [DatabaseEngine.ProviderKey] = "postgres",
            ["ConnectionStrings:CodeMentor"] = database + ";Password=never-shown-secret",
        };
        Guid conversationId;
        string ada;
        try
        {
            await using (var portal = await KestrelPortal.StartAsync(settings))
            {
                Assert.Equal(DatabaseProvider.Postgres, portal.Services.GetRequiredService<DatabaseEngine>().Provider);
                ada = await portal.RegisterAsync("ada@example.org");
                var key = await portal.CreateKeyAsync(ada);

                conversationId = await portal.Services.GetRequiredService<ConversationStore>().CreateAsync(ada, new LearnerContext());
                var sent = await portal.Services.GetRequiredService<ConversationService>().SendAsync(ada, conversationId, "What is a for loop? 👍🏽");
                Assert.Null(sent.Error);
                await sent.Run!.Completion;

                using var http = portal.CreateClient();
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
                using var api = await http.PostAsJsonAsync("v1/chat/completions", new
                {
                    model = "codementor-tutor", messages = new[] { new { role = "user", content = "And a while loop?" } },
                });
                Assert.Equal(HttpStatusCode.OK, api.StatusCode);

                await portal.Services.GetRequiredService<LedgerWriter>().FlushAsync();
                var summary = await portal.Services.GetRequiredService<UsageQueries>().SummaryAsync(UsagePeriod.Today(TimeProvider.System));
                Assert.Equal(2, summary.Requests);
                Assert.Equal(1, summary.ActiveUsers);

                var ready = await http.GetAsync("health/ready");
                var body = await ready.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
                using var report = JsonDocument.Parse(body);
                var check = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "database");
                Assert.Equal("Healthy", check.GetProperty("status").GetString());
                Assert.DoesNotContain("never-shown-secret", body);
            }

            await using (var again = await KestrelPortal.StartAsync(settings))
            {
                var kept = await again.Services.GetRequiredService<ConversationStore>().GetAsync(ada, conversationId);
                Assert.NotNull(kept);
                Assert.Equal(["What is a for loop? 👍🏽", MessageStatus.Complete.ToString()],
                    [kept.Messages[^2].Content, kept.Messages[^1].Status.ToString()]);
                Assert.False(string.IsNullOrEmpty(kept.Messages[^1].Content));
                Assert.Equal("What is a for loop? 👍🏽", kept.Title);
            }
        }
        finally
        {
            await server.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task A_node_that_loses_PostgreSQL_is_unready_refuses_clearly_and_recovers_when_it_returns()
    {
        await using var server = await PostgresServer.StartOwnAsync();
        var settings = new Dictionary<string, string?>
        {
            [DatabaseEngine.ProviderKey] = "postgres", ["ConnectionStrings:CodeMentor"] = await server.CreateDatabaseAsync(),
            ["Llm:CacheTtlSeconds"] = "0",
        };
        await using var portal = await KestrelPortal.StartAsync(settings);
        var ada = await portal.RegisterAsync("ada@example.org");
        var key = await portal.CreateKeyAsync(ada);
        using var http = portal.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Task<HttpResponseMessage> AskAsync() => http.PostAsJsonAsync("v1/chat/completions", new
        {
            model = "codementor-tutor", messages = new[] { new { role = "user", content = "What is a loop?" } },
        });
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/ready")).StatusCode);
        var conversations = portal.Services.GetRequiredService<ConversationService>();
        var conversation = await portal.Services.GetRequiredService<ConversationStore>().CreateAsync(ada, new LearnerContext());

        await server.StopAsync();

        var unready = await http.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unready.StatusCode);
        using (var report = JsonDocument.Parse(await unready.Content.ReadAsStringAsync()))
        {
            var check = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "database");
            Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        }
        using (var refused = await AskAsync())
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("database", await refused.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
            Assert.Equal("5", refused.Headers.RetryAfter?.ToString());
        }
        // The chat page and the hub show this refusal; the learner's text stays in their box.
        Assert.Equal(ConversationService.DatabaseDown, (await conversations.SendAsync(ada, conversation, "Are you there?")).Error);

        await server.StartAgainAsync();

        await Eventually.TrueAsync(async () => (await http.GetAsync("health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the node to be ready again");
        using var answered = await AskAsync();
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var sent = await conversations.SendAsync(ada, conversation, "Are you there?");
        Assert.Null(sent.Error);
        await sent.Run!.Completion;
        var saved = await portal.Services.GetRequiredService<ConversationStore>().GetAsync(ada, conversation);
        Assert.Equal(["Are you there?", MessageStatus.Complete.ToString()], [saved!.Messages[^2].Content, saved.Messages[^1].Status.ToString()]);
    }
}
