using CodeMentor.Core;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Tests.Support;

/// <summary>CodeMentor's core services over a real database, migrated as at startup: a SQLite file in
/// a temporary folder, or a database of its own on the test run's throwaway PostgreSQL server.
/// Dispose deletes the folder and drops the database.</summary>
public sealed class CoreHost : IAsyncDisposable
{
    private readonly string _folder;
    private readonly string? _postgresDatabase;
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _configure;
    private bool _handedOver;

    private CoreHost(ServiceProvider services, string folder, string? postgresDatabase, Dictionary<string, string?> settings,
        Action<IServiceCollection>? configure)
    {
        Services = services;
        _folder = folder;
        _postgresDatabase = postgresDatabase;
        _settings = settings;
        _configure = configure;
    }

    public ServiceProvider Services { get; }

    public static async Task<CoreHost> StartAsync(IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null, DatabaseProvider database = DatabaseProvider.Sqlite)
    {
        var folder = TempFolder.Create();
        string? postgres = null;
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (database == DatabaseProvider.Postgres)
        {
            postgres = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
            values[DatabaseEngine.ProviderKey] = "postgres";
            values["ConnectionStrings:CodeMentor"] = postgres;
        }
        return new CoreHost(await BuildAsync(folder, values, configure), folder, postgres, values, configure);
    }

    private static async Task<ServiceProvider> BuildAsync(string folder, Dictionary<string, string?> values, Action<IServiceCollection>? configure)
    {
        var services = new ServiceCollection();
        services.AddCodeMentorCoreForTests(folder, values);
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<DatabaseInitializer>().StartAsync(CancellationToken.None);
        return provider;
    }

    /// <summary>A new process over the same database, as after a restart: this host's services are disposed (its
    /// background work stopped as at a shutdown), and the new host owns the database from then on.</summary>
    public async Task<CoreHost> RestartAsync()
    {
        _handedOver = true;
        await Services.DisposeAsync();
        return new CoreHost(await BuildAsync(_folder, _settings, _configure), _folder, _postgresDatabase, _settings, _configure);
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public async Task<string> CreateUserAsync(string email)
    {
        var user = new AppUser { UserName = email, Email = email, NormalizedUserName = email.ToUpperInvariant(), NormalizedEmail = email.ToUpperInvariant() };
        await using var db = await Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>A user with the Teacher role.</summary>
    public async Task<string> CreateTeacherAsync(string email)
    {
        var teacher = await CreateUserAsync(email);
        await MakeTeacherAsync(teacher);
        return teacher;
    }

    /// <summary>What the admin page's Teacher switch stores (AdminService, tested with Identity in the portal journey);
    /// the role is made if this database has none yet.</summary>
    public async Task MakeTeacherAsync(string userId)
    {
        await using var db = await DbAsync();
        var role = await db.Roles.SingleOrDefaultAsync(r => r.Name == Roles.Teacher);
        if (role is null)
        {
            role = new IdentityRole(Roles.Teacher) { NormalizedName = Roles.Teacher.ToUpperInvariant() };
            db.Roles.Add(role);
        }
        db.UserRoles.Add(new IdentityUserRole<string> { UserId = userId, RoleId = role.Id });
        await db.SaveChangesAsync();
    }

    public async Task<AppDbContext> DbAsync() => await Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_handedOver)
        {
            return;
        }
        TempFolder.Delete(_folder);
        if (_postgresDatabase is not null)
        {
            await (await PostgresServer.SharedAsync()).DropDatabaseAsync(_postgresDatabase);
        }
    }
}

public static class CoreHostServiceCollectionExtensions
{
    /// <summary>Registers the core as the app does, against a SQLite file in <paramref name="folder"/>.</summary>
    public static IServiceCollection AddCodeMentorCoreForTests(this IServiceCollection services, string folder, IDictionary<string, string?>? settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:CodeMentor"] = $"Data Source={Path.Combine(folder, "codementor.db")}",
            ["Llm:Simulator:TokensPerSecond"] = "5000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddCodeMentorCore(configuration);
        services.AddSingleton<DatabaseInitializer>();
        return services;
    }
}

public static class TempFolder
{
    public static string Create()
    {
        var folder = Path.Combine(Path.GetTempPath(), "codementor-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static void Delete(string folder)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a background writer: the OS temp cleaner will take it.
        }
    }
}
