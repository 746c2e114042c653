using CodeMentor.Core.Accounts;
using CodeMentor.Core.Tutoring;
using CodeMentor.Core.Usage;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Data;

public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : IdentityDbContext<AppUser>(options)
{
    public DbSet<Conversation> Conversations => Set<Conversation>();
    public DbSet<ConversationMessage> Messages => Set<ConversationMessage>();
    public DbSet<LedgerEntry> Ledger => Set<LedgerEntry>();
    public DbSet<InFlightCall> InFlightCalls => Set<InFlightCall>();
    public DbSet<LedgerDaily> LedgerDaily => Set<LedgerDaily>();
    public DbSet<LedgerDayTotal> LedgerDayTotals => Set<LedgerDayTotal>();
    public DbSet<Courses.Course> Courses => Set<Courses.Course>();
    public DbSet<Courses.CourseMember> CourseMembers => Set<Courses.CourseMember>();
    public DbSet<Courses.SharedConversation> SharedConversations => Set<Courses.SharedConversation>();
    public DbSet<Courses.Material.CourseMaterial> CourseMaterials => Set<Courses.Material.CourseMaterial>();
    public DbSet<Courses.Material.CoursePassage> CoursePassages => Set<Courses.Material.CoursePassage>();
    public DbSet<Courses.Material.MaterialUpload> MaterialUploads => Set<Courses.Material.MaterialUpload>();
    public DbSet<LatencyDaily> LatencyDaily => Set<LatencyDaily>();
    public DbSet<RateLimiting.UserLimitOverride> UserLimits => Set<RateLimiting.UserLimitOverride>();
    public DbSet<LearnerProfile> LearnerProfiles => Set<LearnerProfile>();
    public DbSet<CodeReview> CodeReviews => Set<CodeReview>();
    public DbSet<Exercise> Exercises => Set<Exercise>();
    public DbSet<ExerciseAttempt> ExerciseAttempts => Set<ExerciseAttempt>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // PostgreSQL's timestamptz takes only UTC DateTimes and SQLite hands back unspecified ones: every
        // DateTime in the model is UTC, so say so on the way in and out.
        if (Database.IsNpgsql())
        {
            configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
    }
}

/// <summary>Marks DateTimes as UTC (their values are UTC already; only the Kind changes).</summary>
internal sealed class UtcDateTimeConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v, DateTimeKind.Utc),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
