using CodeMentor.Core.Accounts;
using CodeMentor.Core.Tutoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CodeMentor.Core.Data.Configurations;

internal sealed class LearnerProfileConfiguration : IEntityTypeConfiguration<LearnerProfile>
{
    public void Configure(EntityTypeBuilder<LearnerProfile> builder)
    {
        builder.ToTable("LearnerProfiles");
        builder.HasKey(p => p.UserId);
        builder.HasOne<AppUser>().WithOne().HasForeignKey<LearnerProfile>(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
        foreach (var property in new[] { nameof(LearnerProfile.Languages), nameof(LearnerProfile.Goals), nameof(LearnerProfile.Interests), nameof(LearnerProfile.PreferredStyle) })
        {
            builder.Property(property).HasMaxLength(LearnerProfile.MaxFieldLength);
        }
        builder.Property(p => p.Name).HasMaxLength(100);
        builder.Property(p => p.Level).HasMaxLength(20);
    }
}
