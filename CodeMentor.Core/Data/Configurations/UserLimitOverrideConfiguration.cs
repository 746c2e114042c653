using CodeMentor.Core.Accounts;
using CodeMentor.Core.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CodeMentor.Core.Data.Configurations;

internal sealed class UserLimitOverrideConfiguration : IEntityTypeConfiguration<UserLimitOverride>
{
    public void Configure(EntityTypeBuilder<UserLimitOverride> builder)
    {
        builder.ToTable("UserLimits");
        builder.HasKey(e => e.UserId);
        builder.HasOne<AppUser>().WithOne().HasForeignKey<UserLimitOverride>(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
