using CodeMentor.Core.Accounts;
using CodeMentor.Core.Tutoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CodeMentor.Core.Data.Configurations;

internal sealed class CodeReviewConfiguration : IEntityTypeConfiguration<CodeReview>
{
    public void Configure(EntityTypeBuilder<CodeReview> builder)
    {
        builder.HasKey(r => r.Id);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Conversation>().WithMany().HasForeignKey(r => r.ConversationId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(r => r.Language).HasMaxLength(40);
        builder.Property(r => r.Level).HasMaxLength(20);
        builder.HasIndex(r => new { r.UserId, r.CreatedAtUtc });
    }
}

internal sealed class ExerciseConfiguration : IEntityTypeConfiguration<Exercise>
{
    public void Configure(EntityTypeBuilder<Exercise> builder)
    {
        builder.HasKey(e => e.Id);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(e => e.Attempts).WithOne().HasForeignKey(a => a.ExerciseId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(e => new { e.UserId, e.CreatedAtUtc });
        // A course's exercises of the week, for its teacher's totals.
        builder.HasOne<Courses.Course>().WithMany().HasForeignKey(e => e.CourseId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(e => new { e.CourseId, e.CreatedAtUtc });
    }
}

internal sealed class ExerciseAttemptConfiguration : IEntityTypeConfiguration<ExerciseAttempt>
{
    public void Configure(EntityTypeBuilder<ExerciseAttempt> builder)
    {
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
    }
}
