using CodeMentor.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CodeMentor.Core.Data.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("ApiKeys");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Name).HasMaxLength(ApiKeyService.MaxNameLength);
        builder.Property(e => e.Prefix).HasMaxLength(16);
        builder.HasIndex(e => e.Hash).IsUnique();
        builder.HasIndex(e => e.UserId);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
