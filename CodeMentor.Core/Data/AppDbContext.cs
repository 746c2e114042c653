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
    public DbSet<LatencyDaily> LatencyDaily => Set<LatencyDaily>();
    public DbSet<RateLimiting.UserLimitOverride> UserLimits => Set<RateLimiting.UserLimitOverride>();
    public DbSet<LearnerProfile> LearnerProfiles => Set<LearnerProfile>();
    public DbSet<CodeReview> CodeReviews => Set<CodeReview>();
    public DbSet<Exercise> Exercises => Set<Exercise>();
    public DbSet<ExerciseAttempt> ExerciseAttempts => Set<ExerciseAttempt>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
    }
}
