using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace CodeMentor.Core.SharedState;

/// <summary>
/// Where the state several nodes share lives: Redis, when <c>REDIS_URL</c> (or
/// <c>ConnectionStrings:Redis</c>) is set, else nowhere but this process (one node). Takes a
/// <c>redis://[:password@]host[:port][/db]</c> or <c>rediss://</c> URL, or StackExchange.Redis's own
/// "host:port,password=…" form.
/// </summary>
public static class RedisSettings
{
    public const string ConnectionStringName = "Redis";
    public const string ConfigurationKey = "ConnectionStrings:" + ConnectionStringName;

    /// <summary>The Redis options, or null when Redis is not configured.</summary>
    public static ConfigurationOptions? From(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } value ? Parse(value) : null;

    /// <exception cref="ArgumentException">The value is neither form; the message never repeats a password.</exception>
    public static ConfigurationOptions Parse(string value)
    {
        value = value.Trim();
        ConfigurationOptions options;
        if (value.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            {
                throw new ArgumentException("REDIS_URL must look like redis://host:6379 or rediss://:password@host:6380/0.");
            }
            options = new ConfigurationOptions { Ssl = uri.Scheme == "rediss" };
            options.EndPoints.Add(uri.Host, uri.Port > 0 ? uri.Port : 6379);
            if (uri.UserInfo.Length > 0)
            {
                var parts = Uri.UnescapeDataString(uri.UserInfo).Split(':', 2);
                options.User = parts.Length == 2 && parts[0].Length > 0 ? parts[0] : null;
                options.Password = parts.Length == 2 ? parts[1] : parts[0];
            }
            if (uri.AbsolutePath.Trim('/') is { Length: > 0 } database)
            {
                options.DefaultDatabase = int.TryParse(database, out var number) && number >= 0
                    ? number : throw new ArgumentException("REDIS_URL's path must be a database number, like /0.");
            }
        }
        else
        {
            try
            {
                options = ConfigurationOptions.Parse(value);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or RedisConnectionException)
            {
                throw new ArgumentException("REDIS_URL must be a redis:// URL or a StackExchange.Redis connection string (host:port,password=…).");
            }
            if (options.EndPoints.Count == 0)
            {
                throw new ArgumentException("REDIS_URL names no server: use redis://host:6379.");
            }
        }
        // Start even when Redis is down, and reconnect when it returns: readiness says so meanwhile,
        // and what needs Redis fails visibly instead of falling back to this node's own state.
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 5000;
        options.ClientName = "codementor";
        return options;
    }
}
