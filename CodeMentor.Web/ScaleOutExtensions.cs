using CodeMentor.Core.SharedState;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CodeMentor.Web;

/// <summary>
/// What a web node shares with the others when REDIS_URL is set: the data-protection keys (a sign-in
/// cookie or antiforgery token made by one node is read by every node) and SignalR's backplane (a
/// group message sent on one node reaches clients connected to another). Without Redis, keys stay
/// on this machine and SignalR in this process, as for one node.
/// </summary>
internal static class ScaleOutExtensions
{
    public const string DataProtectionKeys = "codementor:data-protection-keys";

    public static IServiceCollection AddCodeMentorScaleOut(this IServiceCollection services, IConfiguration configuration, ISignalRServerBuilder signalR)
    {
        if (RedisSettings.From(configuration) is null)
        {
            return services; // one node keeps its keys (and its users' sign-ins) as before
        }
        // One application name on every node (by default it is the install folder): data protection isolates keys by it.
        services.AddDataProtection().SetApplicationName("CodeMentor");
        services.AddOptions<KeyManagementOptions>().Configure<IConnectionMultiplexer>((options, redis) =>
            options.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), DataProtectionKeys));
        signalR.AddStackExchangeRedis();
        services.AddOptions<RedisOptions>().Configure<IConnectionMultiplexer>((options, redis) =>
        {
            options.Configuration.ChannelPrefix = RedisChannel.Literal("codementor:signalr");
            options.ConnectionFactory = _ => Task.FromResult(redis);
        });
        return services;
    }
}
