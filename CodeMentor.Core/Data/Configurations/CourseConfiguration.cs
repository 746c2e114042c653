using CodeMentor.Core.Courses;
using CodeMentor.Core.Courses.Material;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CodeMentor.Core.Data.Configurations;

internal sealed class CourseConfiguration : IEntityTypeConfiguration<Course>
{
    public void Configure(EntityTypeBuilder<Course> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(Course.MaxNameLength);
        builder.Property(c => c.Languages).HasMaxLength(Course.MaxTextLength);
        builder.Property(c => c.Level).HasMaxLength(20);
        builder.Property(c => c.Mode).HasConversion<string>().HasMaxLength(20);
        builder.Property(c => c.LeakGuard).HasConversion<string>().HasMaxLength(12);
        builder.Property(c => c.BudgetPeriod).HasConversion<string>().HasMaxLength(8);
        builder.Property(c => c.JoinCode).HasMaxLength(16);
        builder.HasIndex(c => c.JoinCode).IsUnique();
    }
}

internal sealed class CourseMemberConfiguration : IEntityTypeConfiguration<CourseMember>
{
    public void Configure(EntityTypeBuilder<CourseMember> builder)
    {
        builder.HasKey(m => new { m.CourseId, m.UserId });
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
        builder.HasOne(m => m.Course).WithMany(c => c.Members).HasForeignKey(m => m.CourseId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Accounts.AppUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        // A user's courses, read on every model call of theirs.
        builder.HasIndex(m => m.UserId);
    }
}

internal sealed class SharedConversationConfiguration : IEntityTypeConfiguration<SharedConversation>
{
    public void Configure(EntityTypeBuilder<SharedConversation> builder)
    {
        builder.HasKey(s => new { s.CourseId, s.ConversationId });
        builder.HasOne<Course>().WithMany().HasForeignKey(s => s.CourseId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Tutoring.Conversation>().WithMany().HasForeignKey(s => s.ConversationId).OnDelete(DeleteBehavior.Cascade);
        // The courses a conversation is shared with (the learner's share menu).
        builder.HasIndex(s => s.ConversationId);
    }
}

internal sealed class CourseMaterialConfiguration : IEntityTypeConfiguration<CourseMaterial>
{
    public void Configure(EntityTypeBuilder<CourseMaterial> builder)
    {
        builder.Property(m => m.Title).HasMaxLength(CourseMaterial.MaxTitleLength);
        builder.Property(m => m.FileName).HasMaxLength(CourseMaterial.MaxFileNameLength);
        builder.Property(m => m.Kind).HasConversion<string>().HasMaxLength(12);
        builder.Property(m => m.UploadedByUserId).HasMaxLength(450);
        builder.HasOne<Course>().WithMany().HasForeignKey(m => m.CourseId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => m.CourseId);
    }
}

internal sealed class MaterialUploadConfiguration : IEntityTypeConfiguration<MaterialUpload>
{
    public void Configure(EntityTypeBuilder<MaterialUpload> builder)
    {
        builder.Property(u => u.FileName).HasMaxLength(CourseMaterial.MaxFileNameLength);
        builder.Property(u => u.UploadedByUserId).HasMaxLength(450);
        builder.Property(u => u.State).HasConversion<string>().HasMaxLength(10);
        builder.Property(u => u.Error).HasMaxLength(1000);
        builder.Property(u => u.Node).HasMaxLength(64);
        builder.HasOne<Course>().WithMany().HasForeignKey(u => u.CourseId).OnDelete(DeleteBehavior.Cascade);
        // The next file to index (oldest queued) and a course's uploads, newest first.
        builder.HasIndex(u => new { u.State, u.QueuedAtUtc });
        builder.HasIndex(u => new { u.CourseId, u.QueuedAtUtc });
    }
}

internal sealed class CoursePassageConfiguration : IEntityTypeConfiguration<CoursePassage>
{
    public void Configure(EntityTypeBuilder<CoursePassage> builder)
    {
        builder.Property(p => p.Section).HasMaxLength(CoursePassage.MaxSectionLength);
        builder.HasOne<CourseMaterial>().WithMany().HasForeignKey(p => p.MaterialId).OnDelete(DeleteBehavior.Cascade);
        // The course's passages (its embeddings, loaded once per material change) and a material's, in order.
        builder.HasIndex(p => p.CourseId);
        builder.HasIndex(p => new { p.MaterialId, p.Ordinal });
    }
}
