using System.Diagnostics;
using System.Text.Json;
using CodeMentor.Core;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Courses;
using CodeMentor.Core.Courses.Material;
using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Benchmarks;

/// <summary>
/// Course material at scale, on a SQLite file: uploads pages of Debian's python3-doc (the tutorial first,
/// then the library and language references) into one course until it holds the target number of passages,
/// timing ingestion (split, embed, store) and measuring memory; then times hybrid retrieval for the
/// tutorial question set, 5 rounds, against the query embedding alone measured in the same run (the floor
/// every retrieval pays). With <c>CODEMENTOR_BENCH_POSTGRES</c> set to the connection string of an empty
/// PostgreSQL database, the course (its passages and their embeddings, as stored) is copied there after the
/// ingestion and retrieval is timed on both engines, question by question in turn: PostgreSQL's figures
/// against SQLite's in the same run, without embedding the material twice.
/// Usage: retrieval [passages=10000] [docs=/usr/share/doc/python3.11/html]
/// </summary>
public static class RetrievalBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var target = args.Length > 0 ? int.Parse(args[0]) : 10_000;
        var docs = args.Length > 1 ? args[1] : Directory.GetDirectories("/usr/share/doc", "python3.*").Select(d => Path.Combine(d, "html")).First(Directory.Exists);
        var folder = Path.Combine(Path.GetTempPath(), "codementor-retrieval-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        await using var provider = await StartAsync(SqliteIn(folder));

        var teacher = new AppUser { UserName = "tess@example.org", Email = "tess@example.org", NormalizedUserName = "TESS@EXAMPLE.ORG", NormalizedEmail = "TESS@EXAMPLE.ORG" };
        var course = new Course { Id = Guid.NewGuid(), Name = "Python docs", JoinCode = "BENCH123", CreatedAtUtc = DateTime.UtcNow };
        await using (var db = await provider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            db.Users.Add(teacher);
            db.Courses.Add(course);
            db.CourseMembers.Add(new CourseMember { CourseId = course.Id, UserId = teacher.Id, Role = CourseRole.Teacher, JoinedAtUtc = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var embedder = provider.GetRequiredService<TextEmbedder>();
        var (managed0, workingSet0) = Memory();
        embedder.Embed("load the model");
        var (managed1, workingSet1) = Memory();

        var pages = Directory.GetFiles(Path.Combine(docs, "tutorial"), "*.html").Order(StringComparer.Ordinal)
            .Concat(new[] { "library", "reference", "howto", "faq", "using", "extending", "c-api" }
                .Where(d => Directory.Exists(Path.Combine(docs, d)))
                .SelectMany(d => Directory.GetFiles(Path.Combine(docs, d), "*.html").Order(StringComparer.Ordinal)))
            .ToList();
        var library = provider.GetRequiredService<CourseMaterialLibrary>();
        long passages = 0, bytes = 0;
        var files = 0;
        var ingest = Stopwatch.StartNew();
        foreach (var page in pages)
        {
            if (passages >= target)
            {
                break;
            }
            var content = await File.ReadAllBytesAsync(page);
            var (material, error) = await library.UploadAsync(teacher.Id, course.Id, Path.GetFileName(page), content);
            if (material is null)
            {
                Console.Error.WriteLine($"{page}: {error}");
                continue;
            }
            passages += material.PassageCount;
            bytes += content.Length;
            files++;
            if (files % 25 == 0)
            {
                Console.Error.WriteLine($"{files} files, {passages:N0} passages, {ingest.Elapsed.TotalSeconds:N0} s");
            }
        }
        ingest.Stop();
        long windows;
        await using (var db = await provider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            windows = await db.CoursePassages.Where(p => p.CourseId == course.Id).SumAsync(p => (long)p.WindowEmbeddings.Length)
                / (sizeof(float) * TextEmbedder.Dimensions);
        }

        var postgresConnection = Environment.GetEnvironmentVariable("CODEMENTOR_BENCH_POSTGRES");
        await using var postgres = string.IsNullOrEmpty(postgresConnection) ? null : await StartAsync(Postgres(postgresConnection));
        if (postgres is not null)
        {
            var copy = Stopwatch.StartNew();
            await CopyCourseAsync(provider, postgres, course.Id);
            Console.Error.WriteLine($"Course copied to PostgreSQL in {copy.Elapsed.TotalSeconds:N0} s");
        }

        var retrieval = provider.GetRequiredService<CourseRetrieval>();
        await retrieval.SearchAsync(course.Id, "warm up: load the course's embeddings");
        var (managed2, workingSet2) = Memory();
        var (full, fullOnPostgres, embedOnly) = await TimeSearchesAsync(embedder, course.Id, retrieval, postgres?.GetRequiredService<CourseRetrieval>());

        Console.WriteLine($"Retrieval benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, SQLite file{(postgres is null ? "" : " and PostgreSQL (the same passages copied)")}");
        Console.WriteLine($"Ingestion: {files} HTML files, {bytes / 1024.0 / 1024.0:N1} MB, {passages:N0} passages in {ingest.Elapsed.TotalSeconds:N0} s " +
                          $"= {passages / ingest.Elapsed.TotalSeconds:N1} passages/s, {bytes / 1024.0 / ingest.Elapsed.TotalSeconds:N1} KB/s; {windows:N0} sentence windows embedded besides");
        Console.WriteLine($"Embedding model loaded: +{(managed1 - managed0) / 1048576.0:N0} MB managed, +{(workingSet1 - workingSet0) / 1048576.0:N0} MB working set");
        Console.WriteLine($"Course index in memory ({passages:N0} passages and {windows:N0} sentence windows × {TextEmbedder.Dimensions} floats): +{(managed2 - managed1) / 1048576.0:N1} MB managed after ingestion and first search; working set {workingSet2 / 1048576.0:N0} MB");
        PrintTimes(full, fullOnPostgres, embedOnly);
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    /// <summary>
    /// Retrieval timed again on a course the benchmark already ingested, without embedding it again (40 minutes at
    /// 10,000 passages): the course in the given PostgreSQL database (filled by <c>retrieval</c> with
    /// <c>CODEMENTOR_BENCH_POSTGRES</c>) is copied into a new SQLite file and both engines are timed as above.
    /// Usage: retrieval-search &lt;postgres connection string&gt;
    /// </summary>
    public static async Task<int> SearchExistingAsync(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: retrieval-search <connection string of a PostgreSQL database the retrieval benchmark filled>");
            return 2;
        }
        var folder = Path.Combine(Path.GetTempPath(), "codementor-retrieval-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        await using var postgres = await StartAsync(Postgres(args[0]));
        await using var sqlite = await StartAsync(SqliteIn(folder));
        Guid courseId;
        int passages;
        await using (var db = await postgres.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            courseId = await db.Courses.Select(c => c.Id).SingleAsync();
            passages = await db.CoursePassages.CountAsync(p => p.CourseId == courseId);
        }
        await CopyCourseAsync(postgres, sqlite, courseId);
        var embedder = sqlite.GetRequiredService<TextEmbedder>();
        embedder.Embed("load the model");
        var retrieval = sqlite.GetRequiredService<CourseRetrieval>();
        await retrieval.SearchAsync(courseId, "warm up: load the course's embeddings");
        var (full, fullOnPostgres, embedOnly) = await TimeSearchesAsync(embedder, courseId, retrieval, postgres.GetRequiredService<CourseRetrieval>());
        Console.WriteLine($"Retrieval benchmark (search only), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {passages:N0} passages, PostgreSQL and a SQLite copy");
        PrintTimes(full, fullOnPostgres, embedOnly);
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    /// <summary>The tutorial's questions, 5 rounds after 20 to warm up, each one's retrieval on each engine and its
    /// embedding alone (the floor every retrieval pays) timed in turn.</summary>
    private static async Task<(List<double> Full, List<double> FullOnPostgres, List<double> EmbedOnly)> TimeSearchesAsync(TextEmbedder embedder,
        Guid courseId, CourseRetrieval retrieval, CourseRetrieval? onPostgres)
    {
        var questions = JsonDocument.Parse(await File.ReadAllTextAsync(QuestionSetPath())).RootElement.GetProperty("questions")
            .EnumerateArray().Select(q => q.GetProperty("q").GetString()!).ToList();
        foreach (var q in questions.Take(20))
        {
            await retrieval.SearchAsync(courseId, q);
            embedder.Embed(q);
            if (onPostgres is not null)
            {
                await onPostgres.SearchAsync(courseId, q);
            }
        }
        var full = new List<double>();
        var fullOnPostgres = new List<double>();
        var embedOnly = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            foreach (var q in questions)
            {
                var watch = Stopwatch.StartNew();
                embedder.Embed(q);
                embedOnly.Add(watch.Elapsed.TotalMilliseconds);
                watch.Restart();
                await retrieval.SearchAsync(courseId, q);
                full.Add(watch.Elapsed.TotalMilliseconds);
                if (onPostgres is not null)
                {
                    watch.Restart();
                    await onPostgres.SearchAsync(courseId, q);
                    fullOnPostgres.Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }
        return (full, fullOnPostgres, embedOnly);
    }

    private static void PrintTimes(List<double> full, List<double> fullOnPostgres, List<double> embedOnly)
    {
        Console.WriteLine($"| Retrieval (hybrid, top 5) | {P(full, 0.5):N1} | {P(full, 0.95):N1} | {P(full, 0.99):N1} | {full.Count} |");
        if (fullOnPostgres.Count > 0)
        {
            Console.WriteLine($"| Retrieval (hybrid, top 5), PostgreSQL, same passages | {P(fullOnPostgres, 0.5):N1} | {P(fullOnPostgres, 0.95):N1} | {P(fullOnPostgres, 0.99):N1} | {fullOnPostgres.Count} |");
        }
        Console.WriteLine($"| Query embedding alone (baseline) | {P(embedOnly, 0.5):N1} | {P(embedOnly, 0.95):N1} | {P(embedOnly, 0.99):N1} | {embedOnly.Count} |");
        Console.WriteLine($"Ratio p95 retrieval / p95 embedding: {P(full, 0.95) / P(embedOnly, 0.95):N2}");
    }

    private static IConfiguration SqliteIn(string folder) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ConnectionStrings:CodeMentor"] = $"Data Source={Path.Combine(folder, "codementor.db")}",
    }).Build();

    private static IConfiguration Postgres(string connectionString) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ConnectionStrings:CodeMentor"] = connectionString, [DatabaseEngine.ProviderKey] = "postgres",
    }).Build();

    private static async Task<ServiceProvider> StartAsync(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Error));
        services.AddCodeMentorCore(configuration);
        var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<DatabaseInitializer>())
        {
            await hosted.StartAsync(CancellationToken.None); // migrate, as at startup
        }
        return provider;
    }

    /// <summary>The course, its teacher, material and passages (embeddings as stored), into the other database.</summary>
    private static async Task CopyCourseAsync(IServiceProvider from, IServiceProvider to, Guid courseId)
    {
        await using var source = await from.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var target = to.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using (var db = await target.CreateDbContextAsync())
        {
            var members = await source.CourseMembers.AsNoTracking().Where(m => m.CourseId == courseId).ToListAsync();
            var userIds = members.Select(m => m.UserId).ToList();
            db.Users.AddRange(await source.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToListAsync());
            db.Courses.Add(await source.Courses.AsNoTracking().SingleAsync(c => c.Id == courseId));
            db.CourseMembers.AddRange(members);
            db.CourseMaterials.AddRange(await source.CourseMaterials.AsNoTracking().Where(m => m.CourseId == courseId).ToListAsync());
            await db.SaveChangesAsync();
        }
        long after = 0;
        while (true)
        {
            var batch = await source.CoursePassages.AsNoTracking().Where(p => p.CourseId == courseId && p.Id > after).OrderBy(p => p.Id).Take(500).ToListAsync();
            if (batch.Count == 0)
            {
                return;
            }
            after = batch[^1].Id;
            await using var db = await target.CreateDbContextAsync();
            db.CoursePassages.AddRange(batch.Select(p => new CoursePassage
            {
                MaterialId = p.MaterialId, CourseId = p.CourseId, Ordinal = p.Ordinal, Section = p.Section, Page = p.Page, Text = p.Text,
                Embedding = p.Embedding, WindowEmbeddings = p.WindowEmbeddings,
            }));
            await db.SaveChangesAsync();
        }
    }

    private static (long Managed, long WorkingSet) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(true), process.WorkingSet64);
    }

    private static double P(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static string QuestionSetPath()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, "CodeMentor.Tests", "Data", "CourseMaterial", "python-tutorial-questions.json");
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }
        throw new FileNotFoundException("Run from the repository: CodeMentor.Tests/Data/CourseMaterial/python-tutorial-questions.json not found.");
    }
}
