using CodeMentor.Core.SharedState;
using StackExchange.Redis;

namespace CodeMentor.Tests.Unit;

public sealed class RedisSettingsTests
{
    [Theory]
    [InlineData("redis://cache.internal", "cache.internal:6379", null, null, false, null)]
    [InlineData("redis://:s3cret@cache.internal:6380/2", "cache.internal:6380", null, "s3cret", false, 2)]
    [InlineData("rediss://tutor:p%40ss@cache.internal:6390", "cache.internal:6390", "tutor", "p@ss", true, null)]
    [InlineData("cache.internal:6379,password=s3cret,ssl=true", "cache.internal:6379", null, "s3cret", true, null)]
    public void Takes_a_redis_url_or_a_StackExchange_string(string value, string endpoint, string? user, string? password, bool ssl, int? database)
    {
        var options = RedisSettings.Parse(value);

        Assert.Equal(endpoint, EndPointCollection.ToString(options.EndPoints.Single()));
        Assert.Equal((user, password, ssl, database), (options.User, options.Password, options.Ssl, options.DefaultDatabase));
        Assert.False(options.AbortOnConnectFail); // a node starts while Redis is down and reconnects when it returns
    }

    [Theory]
    [InlineData("redis://")]
    [InlineData("redis://:hunter2@cache.internal/not-a-number")]
    [InlineData("password=hunter2")]
    public void Refuses_what_names_no_server_without_repeating_the_password(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => RedisSettings.Parse(value));

        Assert.StartsWith("REDIS_URL", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }
}
